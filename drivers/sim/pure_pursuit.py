"""A pure-pursuit driver that knows the car's true pose: the expert the sample model imitates, and a
reference driver for tests. It steers towards the centreline point `lookahead` metres ahead.

Also the original servo node's command -> pulse-width maths (for pure-library closed loops that do
not run the servo node): `adj = value * polarity`; adj < 0 -> mid + adj (mid - min); adj > 0 ->
mid + adj (max - mid).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from drivers.sim.track import Track

DEFAULT_CALIBRATION: dict[str, dict[str, int]] = {
    "Servo": {"max": 1700000, "mid": 1450000, "min": 1200000, "polarity": 1},
    "Motor": {"max": 1603500, "mid": 1446000, "min": 1311000, "polarity": -1},
}


def duty_for(value: float, cal: Mapping[str, int]) -> int:
    """Normalised command in [-1, 1] -> pulse width (ns), like the original servo node."""
    value = max(-1.0, min(1.0, float(value)))
    adj = value * cal["polarity"]
    if adj < 0:
        duty = cal["mid"] + adj * (cal["mid"] - cal["min"])
    elif adj > 0:
        duty = cal["mid"] + adj * (cal["max"] - cal["mid"])
    else:
        duty = cal["mid"]
    return int(duty)


def pure_pursuit_steering(track: Track, x: float, y: float, yaw: float, s: float, wheelbase: float = 0.16,
                          lookahead: float = 0.35, max_steer_deg: float = 30.0) -> float:
    """Steering angle in degrees (> 0 = left) for a car at rear-axle pose (x, y, yaw), progress s."""
    tx, ty, _ = track.pose_at(s + lookahead)
    dx, dy = tx - x, ty - y
    local_x = math.cos(yaw) * dx + math.sin(yaw) * dy
    local_y = -math.sin(yaw) * dx + math.cos(yaw) * dy
    dist2 = max(local_x * local_x + local_y * local_y, 1e-6)
    curvature = 2.0 * local_y / dist2
    steer = math.degrees(math.atan(wheelbase * curvature))
    return max(-max_steer_deg, min(max_steer_deg, steer))
