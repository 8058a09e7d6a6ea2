"""Simulated RPLidar: one revolution of ranges by ray casting against barriers, boxes and the floor.

As the Developer Guide describes the DeepRacer LiDAR: mounted on the rear of the car, tilted down by
6 degrees, 10 revolutions per second, range 15 cm to 2 m. The scan is produced in the device's own
convention (what the RPLidar sends on the wire): angles in degrees increasing CLOCKWISE seen from
above, 0 = the device's front; distance in mm, 0 = no return; a quality byte. The device is mounted
with its 0 degrees pointing to the REAR of the car (`mount_yaw_deg = 180`), so the usual
rplidar_ros conversion (ROS angle = 180 deg - device angle, counter-clockwise) puts the car's forward
direction at ROS angle 0.

The scan plane is pitched down towards the front: a ray at horizontal angle a from the car's forward
direction descends at asin(sin(tilt) cos(a)); forward rays can therefore hit the floor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.track import Track

HIT_QUALITY = 47  # what an RPLidar A1 typically reports for a solid return


@dataclass(frozen=True)
class LidarMount:
    x: float = -0.02  # car frame (rear axle centre = 0), metres
    y: float = 0.0
    z: float = 0.17
    mount_yaw_deg: float = 180.0  # direction of the device's 0 degrees relative to the car's forward axis
    tilt_deg: float = 6.0  # scan plane pitched down towards the car's front
    min_range: float = 0.15
    max_range: float = 2.0
    samples: int = 360  # points per revolution
    rate_hz: float = 10.0


@dataclass(frozen=True)
class _Obstacles:
    a: np.ndarray  # (M, 2) segment starts
    b: np.ndarray  # (M, 2) segment ends
    height: np.ndarray  # (M,)


class LidarRaycaster:
    """Casts one revolution of rays from the car's pose."""

    def __init__(self, track: Track, mount: LidarMount | None = None) -> None:
        self.track = track
        self.mount = mount or LidarMount()
        a, b, h = [], [], []
        for p, q in track.barrier_segments():
            a.append(p)
            b.append(q)
            h.append(track.barrier_height)
        for box in track.obstacles:
            for p, q in box.edges():
                a.append(p)
                b.append(q)
                h.append(box.height)
        self._obs = _Obstacles(np.array(a, dtype=np.float64), np.array(b, dtype=np.float64),
                               np.array(h, dtype=np.float64))

    def device_angles(self, phase_deg: float = 0.0) -> np.ndarray:
        n = self.mount.samples
        return (phase_deg + np.arange(n) * (360.0 / n)) % 360.0

    def ranges(self, x: float, y: float, yaw: float, angles_deg: np.ndarray) -> np.ndarray:
        """Slant range (m) for each device angle; NaN = no return within the range limits."""
        m = self.mount
        c, s = math.cos(yaw), math.sin(yaw)
        ox = x + c * m.x - s * m.y
        oy = y + s * m.x + c * m.y
        rel = np.radians(m.mount_yaw_deg - np.asarray(angles_deg, dtype=np.float64))  # CCW from car forward
        heading = yaw + rel
        dx, dy = np.cos(heading), np.sin(heading)
        sin_elev = -math.sin(math.radians(m.tilt_deg)) * np.cos(rel)
        elev = np.arcsin(sin_elev)
        tan_elev = np.tan(elev)
        cos_elev = np.cos(elev)
        # horizontal distance to each segment: origin + t d = a + u (b - a)
        obs = self._obs
        ex = (obs.b - obs.a)[None, :, 0]
        ey = (obs.b - obs.a)[None, :, 1]
        wx = (obs.a[None, :, 0] - ox)
        wy = (obs.a[None, :, 1] - oy)
        dxx, dyy = dx[:, None], dy[:, None]
        denom = dxx * ey - dyy * ex
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (wx * ey - wy * ex) / denom
            u = (wx * dyy - wy * dxx) / denom
        z_hit = m.z + t * tan_elev[:, None]
        valid = (np.abs(denom) > 1e-12) & (t > 1e-6) & (u >= 0) & (u <= 1) & (z_hit >= 0) & (z_hit <= obs.height[None])
        t = np.where(valid, t, np.inf)
        horiz = t.min(axis=1)
        with np.errstate(divide="ignore"):
            floor = np.where(tan_elev < -1e-9, m.z / -tan_elev, np.inf)
        horiz = np.minimum(horiz, floor)
        slant = horiz / cos_elev
        ok = np.isfinite(slant) & (slant >= m.min_range) & (slant <= m.max_range)
        return np.where(ok, slant, np.nan)

    def scan(self, x: float, y: float, yaw: float, phase_deg: float = 0.0) -> list[tuple[float, float, int]]:
        """One revolution as the RPLidar reports it: [(angle_deg, distance_mm, quality)]."""
        angles = self.device_angles(phase_deg)
        r = self.ranges(x, y, yaw, angles)
        out = []
        for a, d in zip(angles.tolist(), r.tolist(), strict=True):
            if math.isnan(d):
                out.append((a, 0.0, 0))
            else:
                out.append((a, round(d * 1000.0, 2), HIT_QUALITY))
        return out
