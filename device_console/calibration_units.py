"""Console units of the original calibration pages and LED colours (pure maths, no I/O).

PWM values are nanoseconds of a 20 ms period. The console shows steering in units of 10 µs and
throttle in units of 4.5 µs around 1.5 ms (`PWM_OFFSET`), and LED channels as 0..255 mapped to
duty ns with `LED_SCALING_FACTOR` (255 → 9999825 ns ≈ 50 % duty).
"""

from __future__ import annotations

from typing import Literal, get_args

from calibration import maths
from calibration.maths import (
    LED_SCALING_FACTOR,
    PWM_ANGLE_CONVERSION,
    PWM_OFFSET,
    PWM_THROTTLE_CONVERSION,
    SAFE_PULSE_MAX_NS,
    SAFE_PULSE_MIN_NS,
)
from vehicle.calibration import CAL_TYPE_MOTOR, CAL_TYPE_SERVO, CalibrationKind, CalibrationRange

__all__ = ["LED_SCALING_FACTOR", "PWM_ANGLE_CONVERSION", "PWM_OFFSET", "PWM_THROTTLE_CONVERSION"]

# Servo pulses outside 0.5..2.5 ms are never sensible for a hobby servo or ESC.
PWM_SAFE_MIN = SAFE_PULSE_MIN_NS
PWM_SAFE_MAX = SAFE_PULSE_MAX_NS


def cal_type_for(kind: str) -> CalibrationKind:
    """`angle` → steering servo; anything else → throttle (as the original route does)."""
    return CAL_TYPE_SERVO if kind == "angle" else CAL_TYPE_MOTOR


def factor_for(cal_type: int) -> int:
    return maths.ui_factor(cal_type)


def pwm_to_ui(pwm: int, cal_type: int) -> float:
    return maths.pwm_to_ui(pwm, cal_type)


def ui_to_pwm(value: float, cal_type: int) -> int:
    return maths.ui_to_pwm(value, cal_type)


def calibration_to_ui(cal: CalibrationRange, cal_type: int) -> dict[str, float | int]:
    """GET /api/get_calibration/<kind> body fields (min/max swapped only for polarity 0, as the original)."""
    return maths.calibration_to_ui(cal, cal_type)


def ui_to_calibration(mid: float, low: float, high: float, polarity: int, cal_type: int) -> CalibrationRange:
    """Validated PWM calibration from console units; ValueError with a readable reason otherwise."""
    if polarity not in (-1, 1):
        raise ValueError("polarity must be 1 or -1")
    cal = maths.calibration_from_ui(mid, low, high, polarity, cal_type)
    for name in ("min", "mid", "max"):
        if not PWM_SAFE_MIN <= getattr(cal, name) <= PWM_SAFE_MAX:
            raise ValueError(f"{name} out of range")
    if not cal.min < cal.mid < cal.max:
        raise ValueError("min, mid and max must satisfy min < mid < max")
    return cal


def adjust_command(pwm_ui: float, cal_type: int) -> tuple[float, float]:
    """Live-preview (angle, throttle) raw PWM for /webserver_pkg/calibration_drive (-1 = untouched)."""
    if not PWM_SAFE_MIN <= ui_to_pwm(pwm_ui, cal_type) <= PWM_SAFE_MAX:
        raise ValueError("pwm out of range")
    return maths.preview_command(cal_type, pwm_ui)


# `setting` of a preview request: which value the user is adjusting.
PreviewSetting = Literal["mid", "min", "max"]
PREVIEW_SETTINGS: tuple[str, ...] = get_args(PreviewSetting)
# A preview of 0 right after one within this many units (a slider moving through 0) is literal.
PREVIEW_SLIDE_UNITS = 5
PREVIEW_SLIDE_WINDOW_S = 5.0


def preview_means_mid(pwm_ui: float, setting: str | None, previous_ui: float | None) -> bool:
    """True when a preview value stands for "centred / stopped", i.e. the calibrated mid.

    A 0 (after the original's int() truncation) means the calibrated mid, not 1.5 ms, unless the
    user is setting the mid itself: the request says so (`setting` "mid"), or the previous
    preview of the same axis (`previous_ui`, None if none recently) was a neighbouring value, so a
    slider is moving through 0.
    """
    if int(pwm_ui) != 0 or setting == "mid":
        return False
    return previous_ui is None or abs(previous_ui) > PREVIEW_SLIDE_UNITS


def led_to_pwm(value: int) -> int:
    if not 0 <= value <= 255:
        raise ValueError("Input is not valid")
    return maths.led_ui_to_pwm(int(value))


def pwm_to_led(pwm: int) -> int:
    return max(0, min(255, maths.led_pwm_to_ui(pwm)))
