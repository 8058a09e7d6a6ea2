"""Sysfs PWM backend: chip discovery, export, period and duty bytes exactly as the original writes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.pwm import PERIOD_NS, PwmError, SysfsPwm, find_pwm_chip
from tests.support.fake_sysfs import FakeKernel, make_pwm_chip


def test_chip_is_the_link_into_pci_0000_00_17_0(sysfs_root: Path) -> None:
    make_pwm_chip(sysfs_root, "0000:00:1a.0", "pwmchip0")
    make_pwm_chip(sysfs_root, "0000:00:17.0", "pwmchip2")
    assert find_pwm_chip() == sysfs_root / "class" / "pwm" / "pwmchip2"


def test_fallback_is_pwmchip0(sysfs_root: Path) -> None:
    assert find_pwm_chip() == sysfs_root / "class" / "pwm" / "pwmchip0"
    make_pwm_chip(sysfs_root, "0000:00:1a.0", "pwmchip3")
    assert find_pwm_chip() == sysfs_root / "class" / "pwm" / "pwmchip0"


def test_export_period_duty_and_enable(sysfs_root: Path) -> None:
    chip = make_pwm_chip(sysfs_root, "0000:00:17.0", "pwmchip1")
    with FakeKernel(sysfs_root) as kernel:
        pwm = SysfsPwm()
        for channel in (0, 1):
            pwm.configure(channel)
    assert kernel.exports == [("pwmchip1", "0"), ("pwmchip1", "1")]
    assert (chip / "pwm0" / "period").read_text() == "20000000"
    pwm.set_duty(0, 1_446_000)
    pwm.set_duty(1, 1_450_000)
    assert (chip / "pwm0" / "duty_cycle").read_text() == "1446000"
    assert (chip / "pwm1" / "duty_cycle").read_text() == "1450000"
    # a freshly exported channel reads enable 0: switched on once, after a valid duty
    assert (chip / "pwm0" / "enable").read_text() == "1"
    (chip / "pwm0" / "enable").write_text("0")       # something else disabled it: not our business
    pwm.set_duty(0, 1_400_000)
    assert (chip / "pwm0" / "enable").read_text() == "0"
    assert pwm.duty(0) == 1_400_000


def test_already_exported_channels_are_not_exported_again(sysfs_root: Path) -> None:
    chip = make_pwm_chip(sysfs_root, "0000:00:17.0", "pwmchip1")
    (chip / "pwm2").mkdir()
    for name, text in (("period", "0"), ("duty_cycle", "0"), ("enable", "1")):
        (chip / "pwm2" / name).write_text(text)
    pwm = SysfsPwm()
    pwm.configure(2)
    pwm.set_duty(2, 10_000_000)
    assert (chip / "export").read_text() == ""
    assert (chip / "pwm2" / "period").read_text() == str(PERIOD_NS)
    assert (chip / "pwm2" / "duty_cycle").read_text() == "10000000"
    assert (chip / "pwm2" / "enable").read_text() == "1"


def test_duty_outside_the_period_is_refused_and_nothing_written(sysfs_root: Path) -> None:
    chip = make_pwm_chip(sysfs_root, "0000:00:17.0", "pwmchip1")
    with FakeKernel(sysfs_root):
        pwm = SysfsPwm()
        pwm.configure(0)
    for bad in (-1, PERIOD_NS + 1):
        with pytest.raises(ValueError, match="outside"):
            pwm.set_duty(0, bad)
    assert (chip / "pwm0" / "duty_cycle").read_text() == "0\n"


def test_channel_that_never_appears_is_a_clear_error(sysfs_root: Path) -> None:
    make_pwm_chip(sysfs_root, "0000:00:17.0", "pwmchip1")
    pwm = SysfsPwm(export_timeout=0.05)   # no kernel: the directory never appears
    with pytest.raises(PwmError, match="did not appear after exporting channel 3"):
        pwm.configure(3)


def test_missing_chip_is_a_clear_error(sysfs_root: Path) -> None:
    with pytest.raises(PwmError, match="cannot write 0 to .*pwmchip0/export"):
        SysfsPwm().configure(0)
