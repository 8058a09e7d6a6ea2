"""Calibration maths of the original car, bit-exact, with no I/O.

Normalised command -> duty (servo node). For a value v in [-1, 1] and a calibration
(max, mid, min, polarity), all arithmetic in float32 as the original C++ (`float adj = v * polarity`,
then `mid + adj * (mid - min)` with the ints converted to float), truncated toward zero:

    adj < 0: duty = mid + adj * (mid - min)
    adj > 0: duty = mid + adj * (max - mid)
    adj = 0: duty = mid

Throttle uses the motor calibration (cal_type 1), angle the servo calibration (cal_type 0); the kinds
and `CalibrationRange` are the vehicle contract's (`vehicle.calibration`). With
the default motor polarity -1, throttle > 0 (forward) gives a duty below mid.

Console "UI units" (webserver calibration.py): ui = (pwm - 1 500 000) / factor, with factor 10 000
for steering and 4 500 for throttle; back: pwm = int(ui) * factor + 1 500 000.
Tail light: console 0..255 <-> duty ns with x 39 215 (255 -> 9 999 825) and // 39 215.
"""

from __future__ import annotations

import math

import numpy as np

from vehicle.calibration import CAL_TYPE_MOTOR, CAL_TYPE_SERVO, CalibrationRange

PERIOD_NS = 20_000_000
PWM_OFFSET = 1_500_000
PWM_ANGLE_CONVERSION = 10_000
PWM_THROTTLE_CONVERSION = 4_500
LED_SCALING_FACTOR = 39_215
LED_ON = 10_000_000
LED_OFF = 0
LED_MAX_PWM = 10_000_000

# Pulse widths outside this window are never sensible for a hobby servo or ESC; calibration values
# and raw calibration-preview pulses must stay inside it.
SAFE_PULSE_MIN_NS = 500_000
SAFE_PULSE_MAX_NS = 2_500_000


class CalibrationError(ValueError):
    """A calibration (or value) the car refuses; `str(exc)` says why in a sentence for the user."""


class CommandOutOfRange(ValueError):
    """A normalised command outside [-1, 1] (or not a number): ignored, never clamped into motion."""


DEFAULT_SERVO = CalibrationRange(max=1_700_000, mid=1_450_000, min=1_200_000, polarity=1)
DEFAULT_MOTOR = CalibrationRange(max=1_603_500, mid=1_446_000, min=1_311_000, polarity=-1)


def validate_ordering(max_ns: int, mid_ns: int, min_ns: int) -> None:
    """The original ctrl node's rule: min < mid < max (strictly). Raises CalibrationError."""
    if max_ns == min_ns:
        raise CalibrationError(f"max ({max_ns}) and min ({min_ns}) must differ")
    if max_ns == mid_ns:
        raise CalibrationError(f"max ({max_ns}) and mid ({mid_ns}) must differ")
    if min_ns == mid_ns:
        raise CalibrationError(f"min ({min_ns}) and mid ({mid_ns}) must differ")
    if max_ns < min_ns:
        raise CalibrationError(f"max ({max_ns}) must be greater than min ({min_ns})")
    if max_ns < mid_ns:
        raise CalibrationError(f"max ({max_ns}) must be greater than mid ({mid_ns})")
    if mid_ns < min_ns:
        raise CalibrationError(f"mid ({mid_ns}) must be greater than min ({min_ns})")


def validate_calibration(cal: CalibrationRange, safe_min: int = SAFE_PULSE_MIN_NS,
                         safe_max: int = SAFE_PULSE_MAX_NS) -> CalibrationRange:
    """Everything the car needs to drive safely with `cal`; returns it or raises CalibrationError."""
    for name in ("max", "mid", "min", "polarity"):
        value = getattr(cal, name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise CalibrationError(f"{name} must be an integer, not {value!r}")
    validate_ordering(cal.max, cal.mid, cal.min)
    if cal.polarity not in (1, -1):
        raise CalibrationError(f"polarity must be 1 or -1, not {cal.polarity}")
    for name in ("min", "mid", "max"):
        value = getattr(cal, name)
        if not safe_min <= value <= safe_max:
            raise CalibrationError(
                f"{name} ({value} ns) is outside the safe pulse range {safe_min}..{safe_max} ns")
    return cal


def command_to_duty(value: float, cal: CalibrationRange) -> int:
    """Duty in ns for normalised `value` (bit-exact float32 maths), clamped to [min, max] of `cal`.

    Raises CommandOutOfRange for values outside [-1, 1] or NaN (the original ignores those too).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) \
            or math.isnan(value) or value < -1.0 or value > 1.0:
        raise CommandOutOfRange(f"command {value!r} is outside [-1, 1]")
    v = np.float32(value)
    adj = np.float32(v * np.float32(cal.polarity))
    mid = np.float32(cal.mid)
    if adj < 0:
        duty = np.float32(mid + np.float32(adj * np.float32(cal.mid - cal.min)))
    elif adj > 0:
        duty = np.float32(mid + np.float32(adj * np.float32(cal.max - cal.mid)))
    else:
        return clamp_to_calibration(cal.mid, cal)
    return clamp_to_calibration(int(duty), cal)  # int() truncates toward zero like the C++ conversion


def clamp_to_calibration(duty_ns: int, cal: CalibrationRange) -> int:
    return max(cal.low, min(cal.high, int(duty_ns)))


def neutral_duty(cal: CalibrationRange) -> int:
    """Throttle stopped / steering centred."""
    return cal.mid


# -- console units ---------------------------------------------------------------------------------

def ui_factor(cal_type: int) -> int:
    if cal_type == CAL_TYPE_SERVO:
        return PWM_ANGLE_CONVERSION
    if cal_type == CAL_TYPE_MOTOR:
        return PWM_THROTTLE_CONVERSION
    raise CalibrationError(f"unknown calibration type {cal_type} (0 steering, 1 throttle)")


def pwm_to_ui(pwm_ns: int, cal_type: int) -> float:
    """ns -> console units: (pwm - 1 500 000) / factor (a float, as Python's `/`)."""
    return (int(pwm_ns) - PWM_OFFSET) / ui_factor(cal_type)


def ui_to_pwm(ui: float, cal_type: int) -> int:
    """console units -> ns: int(ui) * factor + 1 500 000 (int() truncates toward zero)."""
    if isinstance(ui, bool) or not isinstance(ui, (int, float)) or not math.isfinite(ui):
        raise CalibrationError(f"calibration value {ui!r} is not a number")
    return int(ui) * ui_factor(cal_type) + PWM_OFFSET


def calibration_to_ui(cal: CalibrationRange, cal_type: int) -> dict[str, float | int]:
    """GET /api/get_calibration body fields; min/max are swapped only when polarity is 0 (as the original)."""
    low, high = cal.min, cal.max
    if cal.polarity == 0:
        low, high = high, low
    return {"mid": pwm_to_ui(cal.mid, cal_type), "min": pwm_to_ui(low, cal_type),
            "max": pwm_to_ui(high, cal_type), "polarity": int(cal.polarity)}


def calibration_from_ui(mid: float, min_: float, max_: float, polarity: int, cal_type: int) -> CalibrationRange:
    """POST /api/set_calibration body (console units) -> ns calibration (not yet validated)."""
    return CalibrationRange(max=ui_to_pwm(max_, cal_type), mid=ui_to_pwm(mid, cal_type),
                            min=ui_to_pwm(min_, cal_type), polarity=int(polarity))


def preview_command(cal_type: int, pwm_ui: float) -> tuple[float, float]:
    """(angle, throttle) raw-duty message for the live calibration preview; -1.0 = leave that axis."""
    duty = float(ui_to_pwm(pwm_ui, cal_type))
    if cal_type == CAL_TYPE_SERVO:
        return duty, -1.0
    return -1.0, duty


# -- tail light ------------------------------------------------------------------------------------

def led_ui_to_pwm(value: int) -> int:
    """Console 0..255 -> duty ns (x 39 215). Raises CalibrationError outside 0..255."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 255:
        raise CalibrationError(f"LED value {value!r} must be an integer 0..255")
    return value * LED_SCALING_FACTOR


def led_pwm_to_ui(pwm_ns: int) -> int:
    """duty ns -> console 0..255 (floor division by 39 215)."""
    return int(pwm_ns) // LED_SCALING_FACTOR


def validate_led_pwm(red: int, green: int, blue: int) -> tuple[int, int, int]:
    """Each channel 0..10 000 000 ns (the original's rule); raises CalibrationError naming the channel."""
    for name, value in (("red", red), ("green", green), ("blue", blue)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LED_MAX_PWM:
            raise CalibrationError(f"LED {name} value {value!r} must be an integer 0..{LED_MAX_PWM}")
    return red, green, blue
