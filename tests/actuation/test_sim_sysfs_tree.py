"""The simulated car's /sys: what the real drivers discover, and idempotent rebuilds."""

from __future__ import annotations

import os
from pathlib import Path

from drivers.battery import find_i2c_bus
from drivers.pwm import SysfsPwm, find_pwm_chip
from runtime.paths import dmi_dir
from sim.sysfs_tree import build_sim_sysfs, sim_gpio_value_path, sim_pwm_duty_path


def test_drivers_discover_the_simulated_hardware(sysfs_root: Path) -> None:
    assert build_sim_sysfs(sysfs_root, net_interfaces=["lo", "wlan0"]) == sysfs_root
    chip = find_pwm_chip()
    assert chip == sysfs_root / "class" / "pwm" / "pwmchip1"
    assert "0000:00:17.0" in os.readlink(chip)
    assert find_i2c_bus() == 7
    assert "0000:00:17.3" in os.readlink(sysfs_root / "class" / "i2c-dev" / "i2c-7")
    assert (dmi_dir() / "bios_version").read_text().strip() == "0.0.8"
    assert (dmi_dir() / "chassis_asset_tag").read_text().strip() == "deepracer"
    assert sorted(p.name for p in (sysfs_root / "class" / "net").iterdir()) == ["lo", "wlan0"]
    assert sim_gpio_value_path(sysfs_root, 436).read_text() == "1"    # servo power off


def test_real_sysfs_backend_drives_the_simulated_chip(sysfs_root: Path) -> None:
    build_sim_sysfs(sysfs_root, net_interfaces=["lo"])
    pwm = SysfsPwm()
    pwm.configure(1)
    pwm.set_duty(1, 1_575_000)
    assert sim_pwm_duty_path(sysfs_root, 1).read_text() == "1575000"
    assert (sysfs_root / "class" / "pwm" / "pwmchip1" / "export").read_text() == ""   # pre-exported


def test_rebuild_keeps_current_values(sysfs_root: Path) -> None:
    build_sim_sysfs(sysfs_root, net_interfaces=["lo"])
    sim_pwm_duty_path(sysfs_root, 0).write_text("1400000")
    build_sim_sysfs(sysfs_root, net_interfaces=["lo"])
    assert sim_pwm_duty_path(sysfs_root, 0).read_text() == "1400000"


def test_host_interfaces_are_mirrored_by_default(tmp_path: Path) -> None:
    root = build_sim_sysfs(tmp_path / "sys")
    names = {p.name for p in (root / "class" / "net").iterdir()}
    assert names and (names == {p.name for p in Path("/sys/class/net").iterdir()} or names == {"lo"})
