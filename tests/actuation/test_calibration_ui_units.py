"""Console units <-> ns and tail light 0..255 <-> ns, from the webserver formulas."""

from __future__ import annotations

import pytest

from calibration.maths import (
    CAL_TYPE_MOTOR,
    CAL_TYPE_SERVO,
    DEFAULT_MOTOR,
    DEFAULT_SERVO,
    CalibrationError,
    CalibrationRange,
    calibration_from_ui,
    calibration_to_ui,
    led_pwm_to_ui,
    led_ui_to_pwm,
    preview_command,
    pwm_to_ui,
    ui_to_pwm,
)


def test_default_calibration_in_console_units() -> None:
    # (pwm - 1500000) / 10000 for steering, / 4500 for throttle
    assert calibration_to_ui(DEFAULT_SERVO, CAL_TYPE_SERVO) == {"mid": -5.0, "min": -30.0, "max": 20.0,
                                                                 "polarity": 1}
    assert calibration_to_ui(DEFAULT_MOTOR, CAL_TYPE_MOTOR) == {"mid": -12.0, "min": -42.0, "max": 23.0,
                                                                 "polarity": -1}


@pytest.mark.parametrize(("pwm", "cal_type", "ui"), [
    (1_500_000, CAL_TYPE_SERVO, 0.0),
    (1_512_345, CAL_TYPE_SERVO, 1.2345),
    (1_200_000, CAL_TYPE_SERVO, -30.0),
    (1_662_000, CAL_TYPE_MOTOR, 36.0),
    (1_311_000, CAL_TYPE_MOTOR, -42.0),
    (1_500_001, CAL_TYPE_MOTOR, 1 / 4500),
])
def test_pwm_to_ui(pwm: int, cal_type: int, ui: float) -> None:
    assert pwm_to_ui(pwm, cal_type) == ui


@pytest.mark.parametrize(("ui", "cal_type", "pwm"), [
    (0, CAL_TYPE_SERVO, 1_500_000),
    (22, CAL_TYPE_SERVO, 1_720_000),
    (-19, CAL_TYPE_SERVO, 1_310_000),
    (2.9, CAL_TYPE_SERVO, 1_520_000),       # int() truncates toward zero
    (-2.9, CAL_TYPE_SERVO, 1_480_000),
    (36, CAL_TYPE_MOTOR, 1_662_000),
    (-42, CAL_TYPE_MOTOR, 1_311_000),
    (-3, CAL_TYPE_MOTOR, 1_486_500),
])
def test_ui_to_pwm(ui: float, cal_type: int, pwm: int) -> None:
    assert ui_to_pwm(ui, cal_type) == pwm


def test_round_trip_of_the_guide_example() -> None:
    # Developer Guide calibration page: steering centre -2, left 22, right -19; speed stopped -3,
    # forward 36, backward -42 (forward = min with polarity -1).
    steering = calibration_from_ui(mid=-2, min_=-19, max_=22, polarity=1, cal_type=CAL_TYPE_SERVO)
    assert steering == CalibrationRange(max=1_720_000, mid=1_480_000, min=1_310_000, polarity=1)
    speed = calibration_from_ui(mid=-3, min_=-42, max_=36, polarity=-1, cal_type=CAL_TYPE_MOTOR)
    assert speed == CalibrationRange(max=1_662_000, mid=1_486_500, min=1_311_000, polarity=-1)
    assert calibration_to_ui(speed, CAL_TYPE_MOTOR) == {"mid": -3.0, "min": -42.0, "max": 36.0, "polarity": -1}


def test_min_and_max_swap_only_for_polarity_zero() -> None:
    odd = CalibrationRange(max=1_700_000, mid=1_450_000, min=1_200_000, polarity=0)
    assert calibration_to_ui(odd, CAL_TYPE_SERVO) == {"mid": -5.0, "min": 20.0, "max": -30.0, "polarity": 0}


def test_live_preview_messages() -> None:
    assert preview_command(CAL_TYPE_SERVO, 7) == (1_570_000.0, -1.0)
    assert preview_command(CAL_TYPE_MOTOR, -10) == (-1.0, 1_455_000.0)


def test_unknown_calibration_type_and_non_numbers_are_refused() -> None:
    with pytest.raises(CalibrationError, match="unknown calibration type 2"):
        pwm_to_ui(1_500_000, 2)
    with pytest.raises(CalibrationError, match="not a number"):
        ui_to_pwm(float("nan"), CAL_TYPE_SERVO)
    with pytest.raises(CalibrationError, match="not a number"):
        ui_to_pwm("12", CAL_TYPE_SERVO)  # type: ignore[arg-type]


@pytest.mark.parametrize(("ui", "pwm"), [(0, 0), (1, 39_215), (128, 5_019_520), (255, 9_999_825)])
def test_led_console_values_to_pwm(ui: int, pwm: int) -> None:
    assert led_ui_to_pwm(ui) == pwm
    assert led_pwm_to_ui(pwm) == ui


def test_led_pwm_back_to_console_floors() -> None:
    assert led_pwm_to_ui(10_000_000) == 255       # the default "blue on" value
    assert led_pwm_to_ui(39_214) == 0
    assert led_pwm_to_ui(5_000_000) == 127


@pytest.mark.parametrize("bad", [-1, 256, 1.5, True, "7"])
def test_led_console_values_outside_0_255_are_refused(bad: object) -> None:
    with pytest.raises(CalibrationError, match="0..255"):
        led_ui_to_pwm(bad)  # type: ignore[arg-type]
