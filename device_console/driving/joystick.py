"""Manual driving: the original stepping and speed-scale maths (the request body is
`device_console.api.bodies.ManualDriveBody`).

Maths (webserver_pkg of the original stack): both joystick axes are snapped to 0, ±0.3, ±0.5 or
±0.8; the angle is negated; the throttle goes through the parabola a·t² + b·t fitted to
DEFAULT_SPEED_SCALES = [1.0, 0.8] at a speed scale v = 1 + (1 - max_speed)·4 (bounds [1, 5]) and is
negated (the UI sends screen-y, so "up" is negative and becomes positive = forward).

Who may keep the car moving (dead-man, held commands) is `device_console.driving.supervisor`.
"""

from __future__ import annotations

import math

MANUAL_SPEED_SCALE_BOUNDS = (1.0, 5.0)
DEFAULT_SPEED_SCALES = (1.0, 0.8)


def categorize(value: float) -> float:
    """Snap a joystick axis to 0, ±0.3, ±0.5, ±0.8 (sign kept)."""
    magnitude = abs(value)
    if magnitude >= 0.8:
        step = 0.8
    elif magnitude >= 0.5:
        step = 0.5
    elif magnitude > 0.0:
        step = 0.3
    else:
        return 0.0
    return math.copysign(step, value)


def speed_mapping(max_speed: float) -> tuple[float, float]:
    """(a, b) of the throttle parabola for a max_speed in [0, 1]."""
    low, high = MANUAL_SPEED_SCALE_BOUNDS
    scale = min(max(1.0 + (1.0 - max_speed) * 4.0, low), high)
    top, half = DEFAULT_SPEED_SCALES
    a = (1.0 / scale**2) * (2.0 * top - 4.0 * half)
    b = (1.0 / scale) * (4.0 * half - top)
    return a, b


def manual_drive_command(angle: float, throttle: float, max_speed: float) -> tuple[float, float]:
    """Joystick input → (ServoCtrlMsg.angle, ServoCtrlMsg.throttle) as the original computes it."""
    out_angle = -categorize(angle)
    t = categorize(throttle)
    if t == 0.0 or max_speed == 0.0:
        return out_angle + 0.0, 0.0
    a, b = speed_mapping(max_speed)
    magnitude = a * t * t + b * abs(t)
    return out_angle + 0.0, -math.copysign(magnitude, t)

