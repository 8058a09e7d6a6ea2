"""Simulated RPLidar ranges against distances computed by hand: rear mount 17 cm high, scan plane
tilted down 6 degrees towards the front, device angles clockwise with 0 pointing to the car's rear."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from sim.lidar_raycast import HIT_QUALITY, LidarMount, LidarRaycaster
from sim.track import Box, make_track

MOUNT = LidarMount()  # x -0.02, z 0.17, tilt 6 deg, 0.15..2 m
TILT = math.radians(6)


@pytest.fixture(scope="module")
def straight():
    track = make_track("loop")
    x, y, yaw = track.pose_at(0.0)  # middle of the bottom straight, facing +x
    assert yaw == pytest.approx(0.0)
    return track, x, y


def _range(caster: LidarRaycaster, pose, device_angle: float) -> float:
    return float(caster.ranges(*pose, [device_angle])[0])


def test_guide_mounting_defaults():
    assert MOUNT.tilt_deg == 6.0 and MOUNT.rate_hz == 10.0
    assert (MOUNT.min_range, MOUNT.max_range) == (0.15, 2.0)
    assert MOUNT.x < 0.16 / 2  # behind the middle of the car: rear mounted


def test_forward_ray_hits_the_floor_where_the_tilt_says(straight):
    track, x, y = straight
    caster = LidarRaycaster(track)
    # device 180 deg = car forward: descends at 6 deg from 17 cm
    expected = (0.17 / math.tan(TILT)) / math.cos(TILT)
    assert _range(caster, (x, y, 0.0), 180.0) == pytest.approx(expected, abs=1e-6)


def test_side_rays_are_level_and_hit_the_barrier(straight):
    track, x, y = straight
    caster = LidarRaycaster(track)
    # device 270 deg = car right (clockwise from the rear): level ray to the barrier at y = 0
    assert _range(caster, (x, y, 0.0), 270.0) == pytest.approx(y, abs=1e-6)
    # device 90 deg = car left: the barrier is farther than 2 m -> no return
    assert track.size[1] - y > 2.0
    assert math.isnan(_range(caster, (x, y, 0.0), 90.0))


def test_diagonal_ray_through_the_tilted_plane(straight):
    track, x, y = straight
    caster = LidarRaycaster(track)
    rel = math.radians(-45)  # device 225 deg = front right
    elev = math.asin(-math.sin(TILT) * math.cos(rel))
    lidar_y = y
    horizontal = lidar_y / math.sin(math.radians(45))
    assert 0.17 + horizontal * math.tan(elev) > 0  # still above the floor at the barrier
    assert _range(caster, (x, y, 0.0), 225.0) == pytest.approx(horizontal / math.cos(elev), abs=1e-6)


def test_rear_ray_rises_over_low_boxes_and_hits_tall_ones(straight):
    track, x, y = straight
    lidar_x = x - 0.02
    tall = Box(x=lidar_x - 0.5 - 0.1, y=y, length=0.2, width=0.2, height=0.3)
    low = Box(x=lidar_x - 1.0 - 0.1, y=y, length=0.2, width=0.2, height=0.2)
    with_tall = LidarRaycaster(replace(track, obstacles=(tall,)))
    # device 0 deg = car rear: rises 6 deg; at 0.5 m it is 22 cm high, below the 30 cm box top
    assert _range(with_tall, (x, y, 0.0), 0.0) == pytest.approx(0.5 / math.cos(TILT), abs=1e-6)
    with_low = LidarRaycaster(replace(track, obstacles=(low,)))
    assert 0.17 + 1.0 * math.tan(TILT) > 0.2  # passes over the 20 cm box
    assert math.isnan(_range(with_low, (x, y, 0.0), 0.0))
    # turning the car turns the scan: facing the box, it is seen at device 180
    lidar_x_turned = x + 0.02  # the mount is 2 cm behind the rear axle, now on the +x side
    face = lidar_x - 0.5
    assert _range(with_tall, (x, y, math.pi), 180.0) == pytest.approx((lidar_x_turned - face) / math.cos(TILT), abs=1e-6)


def test_too_close_is_no_return_and_scan_format(straight):
    track, x, y = straight
    close = Box(x=x - 0.02 - 0.1 - 0.1, y=y, length=0.2, width=0.4, height=0.3)  # face 10 cm behind
    caster = LidarRaycaster(replace(track, obstacles=(close,)))
    assert math.isnan(_range(caster, (x, y, 0.0), 0.0))
    scan = caster.scan(x, y, 0.0, phase_deg=0.25)
    assert len(scan) == 360
    angles = [a for a, _, _ in scan]
    assert angles[0] == pytest.approx(0.25) and angles[1] == pytest.approx(1.25)
    assert all(0 <= a < 360 for a in angles)
    by_angle = {round(a - 0.25): (d, q) for a, d, q in scan}
    d, q = by_angle[270]
    assert q == HIT_QUALITY and d == pytest.approx(y * 1000, abs=1.0)
    d, q = by_angle[90]
    assert (d, q) == (0.0, 0)
