"""Sysfs GPIO: export/direction/value bytes and the +78 kernel numbering variant."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.gpio import GpioError, SysfsGpio
from tests.support.fake_sysfs import FakeKernel, make_gpio_class


def test_export_direction_value(sysfs_root: Path) -> None:
    gpio_dir = make_gpio_class(sysfs_root)
    with FakeKernel(sysfs_root) as kernel:
        pin = SysfsGpio().pin(436, "out")
    assert kernel.exports == [("gpio", "436")]
    assert (gpio_dir / "gpio436" / "direction").read_text() == "out"
    pin.write(1)
    assert (gpio_dir / "gpio436" / "value").read_text() == "1"
    pin.write(0)
    assert (gpio_dir / "gpio436" / "value").read_text() == "0"
    assert pin.read() == 0


def test_already_exported_pin_is_not_exported_again(sysfs_root: Path) -> None:
    gpio_dir = make_gpio_class(sysfs_root)
    (gpio_dir / "gpio383").mkdir()
    (gpio_dir / "gpio383" / "value").write_text("1\n")
    (gpio_dir / "gpio383" / "direction").write_text("out")
    pin = SysfsGpio().pin(383, "in")
    assert (gpio_dir / "export").read_text() == ""
    assert (gpio_dir / "gpio383" / "direction").read_text() == "in"
    assert pin.read() == 1


def test_newer_kernels_number_pins_78_higher(sysfs_root: Path) -> None:
    gpio_dir = make_gpio_class(sysfs_root, chips={512: 200})     # bases start at 512 on 6.x kernels
    with FakeKernel(sysfs_root) as kernel:
        pin = SysfsGpio().pin(436, "out")
    assert pin.kernel_number == 514
    assert kernel.exports == [("gpio", "514")]
    pin.write(1)
    assert (gpio_dir / "gpio514" / "value").read_text() == "1"


def test_old_kernel_numbering_is_kept_when_a_chip_covers_the_pin(sysfs_root: Path) -> None:
    make_gpio_class(sysfs_root, chips={267: 240})
    assert SysfsGpio().kernel_number(436) == 436


def test_an_already_exported_shifted_pin_wins(sysfs_root: Path) -> None:
    gpio_dir = make_gpio_class(sysfs_root)
    (gpio_dir / "gpio526").mkdir()
    assert SysfsGpio().kernel_number(448) == 526


def test_explicit_offset_from_the_environment(sysfs_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_gpio_class(sysfs_root, chips={267: 240})
    monkeypatch.setenv("DEEPRACER_GPIO_OFFSET", "78")
    assert SysfsGpio().kernel_number(436) == 514
    assert SysfsGpio(offset=0).kernel_number(436) == 436
    monkeypatch.setenv("DEEPRACER_GPIO_OFFSET", "lots")
    with pytest.raises(ValueError, match="DEEPRACER_GPIO_OFFSET"):
        SysfsGpio()


def test_bad_values_and_missing_tree_are_clear_errors(sysfs_root: Path) -> None:
    make_gpio_class(sysfs_root)
    (sysfs_root / "class" / "gpio" / "gpio436").mkdir()
    pin = SysfsGpio().pin(436)
    with pytest.raises(ValueError, match="0 or 1"):
        pin.write(2)
    with pytest.raises(GpioError, match="cannot read"):
        pin.read()
    with pytest.raises(GpioError, match="did not appear after exporting GPIO 437"):
        SysfsGpio(export_timeout=0.05).pin(437)
