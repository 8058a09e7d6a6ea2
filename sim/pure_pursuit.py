"""A pure-pursuit driver that knows the car's true pose: the expert the sample model imitates, and a
reference driver for tests. It steers towards the centreline point `lookahead` metres ahead.

Its commands become pulse widths through the servo node's own maths and calibration
(`calibration.maths.command_to_duty`, `calibration.files.DEFAULT_CALIBRATION`), see `closed_loop`.
"""

from __future__ import annotations

import math

from sim.track import Track


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
