"""The supervisor's safe-stop hook: neutral PWM from the calibration file and servo power off."""

from __future__ import annotations

import json
from pathlib import Path

from drivers.pwm import make_outputs_safe
from sim.sysfs_tree import build_sim_sysfs, sim_gpio_value_path, sim_pwm_duty_path


def test_outputs_left_driving_are_made_safe(sysfs_root: Path, state_dir: Path) -> None:
    build_sim_sysfs(sysfs_root, net_interfaces=["lo"])
    (state_dir / "calibration.json").write_text(json.dumps({"Calibration": {
        "Servo": {"max": 1720000, "mid": 1480000, "min": 1310000, "polarity": 1},
        "Motor": {"max": 1662000, "mid": 1486500, "min": 1311000, "polarity": -1}, "version": 1}}))
    sim_pwm_duty_path(sysfs_root, 0).write_text("1311000")     # a crashed process left full throttle
    sim_pwm_duty_path(sysfs_root, 1).write_text("1720000")
    sim_gpio_value_path(sysfs_root, 436).write_text("0")
    assert make_outputs_safe() == []
    assert sim_pwm_duty_path(sysfs_root, 0).read_text() == "1486500"
    assert sim_pwm_duty_path(sysfs_root, 1).read_text() == "1480000"
    assert sim_gpio_value_path(sysfs_root, 436).read_text() == "1"


def test_never_raises_without_hardware(sysfs_root: Path, state_dir: Path) -> None:
    problems = make_outputs_safe()
    assert isinstance(problems, list)
    assert not (state_dir / "calibration.json").exists()      # read-only: creates nothing
