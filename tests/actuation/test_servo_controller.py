"""The servo node's library logic on the simulated sysfs tree: start, drive, raw, power, calibration, LEDs."""

from __future__ import annotations

from pathlib import Path

import pytest

from calibration.files import DEFAULT_CALIBRATION, DEFAULT_LED_VALUES, load_calibration, load_led_values
from calibration.maths import CalibrationRange
from drivers.actuation import ActuationError, ServoController
from drivers.gpio import SysfsGpio
from drivers.pwm import SysfsPwm
from sim.sysfs_tree import build_sim_sysfs, sim_gpio_value_path, sim_pwm_duty_path


def duties(root: Path) -> list[str]:
    return [sim_pwm_duty_path(root, ch).read_text() for ch in range(5)]


@pytest.fixture
def controller(sysfs_root: Path, state_dir: Path) -> ServoController:
    build_sim_sysfs(sysfs_root, net_interfaces=["lo"])
    ctl = ServoController(SysfsPwm(), DEFAULT_CALIBRATION, DEFAULT_LED_VALUES,
                          power=SysfsGpio().pin(436, "out"))
    assert ctl.start() == []
    return ctl


def test_start_sets_periods_neutral_tail_light_and_power_off(controller: ServoController, sysfs_root: Path) -> None:
    chip = sysfs_root / "class" / "pwm" / "pwmchip1"
    assert [(chip / f"pwm{c}" / "period").read_text() for c in range(5)] == ["20000000"] * 5
    assert duties(sysfs_root) == ["1446000", "1450000", "0", "0", "10000000"]
    assert sim_gpio_value_path(sysfs_root, 436).read_text() == "1"


def test_drive_uses_the_calibration(controller: ServoController, sysfs_root: Path) -> None:
    result = controller.drive(angle=0.5, throttle=0.5)
    assert (result.steering_ns, result.throttle_ns, result.problems) == (1_575_000, 1_378_500, [])
    assert duties(sysfs_root)[:2] == ["1378500", "1575000"]


def test_out_of_range_axis_is_ignored_the_other_applied(controller: ServoController, sysfs_root: Path) -> None:
    controller.drive(angle=0.0, throttle=0.5)
    result = controller.drive(angle=-1.0, throttle=1.7)
    assert result.throttle_ns is None and "throttle" in result.problems[0]
    assert duties(sysfs_root)[:2] == ["1378500", "1200000"]


def test_raw_preview_window(controller: ServoController, sysfs_root: Path) -> None:
    result = controller.raw(angle=1_700_000.0, throttle=-1.0)     # the console's "leave throttle"
    assert result.steering_ns == 1_700_000 and result.throttle_ns is None and not result.problems
    result = controller.raw(angle=3_000_000.0, throttle=400_000.0)
    assert len(result.problems) == 2
    assert duties(sysfs_root)[:2] == ["1446000", "1700000"]
    controller.neutral()
    assert duties(sysfs_root)[:2] == ["1446000", "1450000"]
    assert controller.is_neutral()


def test_servo_power_semantics(controller: ServoController, sysfs_root: Path) -> None:
    controller.set_power(0)
    assert sim_gpio_value_path(sysfs_root, 436).read_text() == "0"     # 0 = enabled
    with pytest.raises(ActuationError, match="must be 0 \\(enable\\) or 1 \\(disable\\)"):
        controller.set_power(2)
    assert sim_gpio_value_path(sysfs_root, 436).read_text() == "0"


def test_calibration_change_is_saved_and_used(controller: ServoController, state_dir: Path,
                                              sysfs_root: Path) -> None:
    new = CalibrationRange(max=1_662_000, mid=1_486_500, min=1_311_000, polarity=-1)
    controller.set_calibration(1, new)
    assert load_calibration().value.motor == new
    controller.drive(angle=0.0, throttle=1.0)
    assert duties(sysfs_root)[0] == "1311000"


def test_invalid_calibration_changes_nothing(controller: ServoController, state_dir: Path) -> None:
    before = (state_dir / "calibration.json").read_bytes() if (state_dir / "calibration.json").exists() else None
    with pytest.raises(ActuationError, match="max \\(1300000\\) must be greater than mid"):
        controller.set_calibration(0, CalibrationRange(max=1_300_000, mid=1_450_000, min=1_200_000, polarity=1))
    with pytest.raises(ActuationError, match="unknown calibration type 5"):
        controller.set_calibration(5, DEFAULT_CALIBRATION.servo)
    assert controller.calibration == DEFAULT_CALIBRATION
    after = (state_dir / "calibration.json").read_bytes() if (state_dir / "calibration.json").exists() else None
    assert before == after


def test_tail_light(controller: ServoController, sysfs_root: Path) -> None:
    controller.set_led(9_999_825, 0, 39_215)
    assert duties(sysfs_root)[2:] == ["9999825", "0", "39215"]
    assert load_led_values().value.as_tuple() == (9_999_825, 0, 39_215)
    with pytest.raises(ActuationError, match="LED blue value 10000001"):
        controller.set_led(0, 0, 10_000_001)
    assert duties(sysfs_root)[2:] == ["9999825", "0", "39215"]


def test_shutdown_is_neutral_lights_off_power_off(controller: ServoController, sysfs_root: Path) -> None:
    controller.set_power(0)
    controller.drive(angle=1.0, throttle=1.0)
    assert controller.shutdown() == []
    assert duties(sysfs_root) == ["1446000", "1450000", "0", "0", "0"]
    assert sim_gpio_value_path(sysfs_root, 436).read_text() == "1"


def test_shutdown_rewrites_neutral_even_when_it_believes_it_is_there(controller: ServoController,
                                                                    sysfs_root: Path) -> None:
    sim_pwm_duty_path(sysfs_root, 0).write_text("1311000")     # e.g. a write that never reached the chip
    assert controller.is_neutral()
    controller.shutdown()
    assert duties(sysfs_root)[0] == "1446000"


def test_nothing_drives_after_shutdown(controller: ServoController, sysfs_root: Path) -> None:
    controller.shutdown()
    result = controller.drive(angle=1.0, throttle=1.0)
    assert result.throttle_ns is None and "shut down" in result.problems[0]
    assert controller.raw(angle=1_700_000.0, throttle=1_300_000.0).problems
    with pytest.raises(ActuationError, match="shut down"):
        controller.set_power(0)
    assert duties(sysfs_root)[:2] == ["1446000", "1450000"]
    assert sim_gpio_value_path(sysfs_root, 436).read_text() == "1"
