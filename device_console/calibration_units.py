"""Console units of the original calibration pages and LED colours (pure maths, no I/O).

PWM values are nanoseconds of a 20 ms period. The console shows steering in units of 10 µs and
throttle in units of 4.5 µs around 1.5 ms (`PWM_OFFSET`), and LED channels as 0..255 mapped to
duty ns with `LED_SCALING_FACTOR` (255 → 9999825 ns ≈ 50 % duty).
"""

from __future__ import annotations

from device_console.car import CAL_MOTOR, CAL_SERVO, Calibration

PWM_OFFSET = 1_500_000
PWM_ANGLE_CONVERSION = 10_000
PWM_THROTTLE_CONVERSION = 4_500
LED_SCALING_FACTOR = 39_215
# Servo pulses outside 0.5..2.5 ms are never sensible for a hobby servo or ESC.
PWM_SAFE_MIN = 500_000
PWM_SAFE_MAX = 2_500_000


def cal_type_for(kind: str) -> int:
    """`angle` → steering servo; anything else → throttle (as the original route does)."""
    return CAL_SERVO if kind == "angle" else CAL_MOTOR


def factor_for(cal_type: int) -> int:
    return PWM_ANGLE_CONVERSION if cal_type == CAL_SERVO else PWM_THROTTLE_CONVERSION


def pwm_to_ui(pwm: int, cal_type: int) -> float:
    return (pwm - PWM_OFFSET) / factor_for(cal_type)


def ui_to_pwm(value: float, cal_type: int) -> int:
    return int(value) * factor_for(cal_type) + PWM_OFFSET


def calibration_to_ui(cal: Calibration, cal_type: int) -> dict[str, float | int]:
    """GET /api/get_calibration/<kind> body fields (min/max swapped only for polarity 0, as the original)."""
    low, high = cal.min, cal.max
    if cal.polarity == 0:
        low, high = high, low
    return {
        "mid": pwm_to_ui(cal.mid, cal_type),
        "min": pwm_to_ui(low, cal_type),
        "max": pwm_to_ui(high, cal_type),
        "polarity": int(cal.polarity),
    }


def ui_to_calibration(mid: float, low: float, high: float, polarity: int, cal_type: int) -> Calibration:
    """Validated PWM calibration from console units; ValueError with a readable reason otherwise."""
    if polarity not in (-1, 1):
        raise ValueError("polarity must be 1 or -1")
    cal = Calibration(max=ui_to_pwm(high, cal_type), mid=ui_to_pwm(mid, cal_type),
                      min=ui_to_pwm(low, cal_type), polarity=int(polarity))
    for name in ("min", "mid", "max"):
        if not PWM_SAFE_MIN <= getattr(cal, name) <= PWM_SAFE_MAX:
            raise ValueError(f"{name} out of range")
    if not cal.min < cal.mid < cal.max:
        raise ValueError("min, mid and max must satisfy min < mid < max")
    return cal


def adjust_command(pwm_ui: float, cal_type: int) -> tuple[float, float]:
    """Live-preview (angle, throttle) raw PWM for /webserver_pkg/calibration_drive (-1 = untouched)."""
    pwm = float(ui_to_pwm(pwm_ui, cal_type))
    if not PWM_SAFE_MIN <= pwm <= PWM_SAFE_MAX:
        raise ValueError("pwm out of range")
    if cal_type == CAL_SERVO:
        return pwm, -1.0
    return -1.0, pwm


def led_to_pwm(value: int) -> int:
    if not 0 <= value <= 255:
        raise ValueError("Input is not valid")
    return value * LED_SCALING_FACTOR


def pwm_to_led(pwm: int) -> int:
    return max(0, min(255, int(pwm) // LED_SCALING_FACTOR))
