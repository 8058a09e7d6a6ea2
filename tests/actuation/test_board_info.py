"""Board identity: hardware revision from the board-id GPIOs, software version, secure boot."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.board import dpkg_version, hardware_version, secure_boot_enabled, software_version
from drivers.gpio import SysfsGpio
from sim.sysfs_tree import build_sim_sysfs
from tests.support.fake_sysfs import make_gpio_class


@pytest.mark.parametrize(("id1", "id0", "version"), [("0", "0", "R1.0"), ("0", "1", "R1.1"),
                                                     ("1", "0", "R2.0"), ("1", "1", "R2.1")])
def test_board_id_pins_give_the_revision(sysfs_root: Path, id1: str, id0: str, version: str) -> None:
    build_sim_sysfs(sysfs_root, net_interfaces=["lo"])
    (sysfs_root / "class" / "gpio" / "gpio383" / "value").write_text(id1 + "\n")
    (sysfs_root / "class" / "gpio" / "gpio387" / "value").write_text(id0 + "\n")
    assert hardware_version() == version
    assert (sysfs_root / "class" / "gpio" / "gpio383" / "direction").read_text() == "in"


def test_newer_kernel_numbering(sysfs_root: Path) -> None:
    gpio_dir = make_gpio_class(sysfs_root, chips={512: 200})
    for number, value in ((461, "1"), (465, "0")):      # 383 + 78, 387 + 78
        (gpio_dir / f"gpio{number}").mkdir()
        (gpio_dir / f"gpio{number}" / "value").write_text(value)
    assert hardware_version(SysfsGpio()) == "R2.0"


def test_unreadable_board_id_is_dashes(sysfs_root: Path) -> None:
    make_gpio_class(sysfs_root)
    assert hardware_version(SysfsGpio(export_timeout=0.05)) == "--"


def test_software_version(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from importlib.metadata import version

    assert software_version() == version("deepracer-open-stack")
    monkeypatch.setenv("DEEPRACER_SOFTWARE_VERSION", "2.0.383.0")
    assert software_version() == "2.0.383.0"
    status = tmp_path / "status"
    status.write_text("Package: aws-deepracer-util\nStatus: install ok installed\nVersion: 2.0.9\n\n"
                      "Package: aws-deepracer-core\nStatus: install ok installed\nVersion: 2.0.383.0\n")
    assert dpkg_version("aws-deepracer-core", status) == "2.0.383.0"
    assert dpkg_version("aws-deepracer-sample-models", status) is None


def test_secure_boot_variable(sysfs_root: Path) -> None:
    assert secure_boot_enabled() is None
    build_sim_sysfs(sysfs_root, net_interfaces=["lo"])
    assert secure_boot_enabled() is False
    var = next((sysfs_root / "firmware" / "efi" / "efivars").iterdir())
    var.write_bytes(bytes([6, 0, 0, 0, 1]))
    assert secure_boot_enabled() is True
