"""The simulator's RPLidar speaks the real serial protocol on <sim_dir>/dev/ttyUSB0: the car's LiDAR
driver reads revolutions whose ranges are the ray-cast distances of the track's barriers and floor."""

from __future__ import annotations

import math
import threading

import pytest

from drivers.lidar import LidarDriver, LidarSettings, Revolution
from sim.track import make_track
from tests.support.ros import wait_until


def test_lidar_driver_reads_ray_cast_revolutions(sim_world):
    revolutions: list[Revolution] = []
    got = threading.Event()

    def on_scan(rev: Revolution) -> None:
        revolutions.append(rev)
        if len(revolutions) >= 3:
            got.set()

    driver = LidarDriver(LidarSettings(port=str(sim_world.sim_dir / "dev" / "ttyUSB0"), reset_wait=0.05),
                         on_scan).start()
    try:
        wait_until(got.is_set, 15, "three LiDAR revolutions")
    finally:
        driver.stop()
    rev = revolutions[-1]
    assert 340 <= len(rev.nodes) <= 362
    track = make_track("loop")
    _x, y, _yaw = track.pose_at(0.0)  # the car is still on the start line (nobody drives it here)

    def nearest(angle: float) -> tuple[float, float, int]:
        return min(rev.nodes, key=lambda n: abs((n[0] - angle + 180) % 360 - 180))

    # device 270 deg = the car's right: the barrier 2 ft beyond the outer tape, level ray
    _a, dist, quality = nearest(270.0)
    assert quality > 0 and dist == pytest.approx(y * 1000, abs=15)
    # device 180 deg = forward: the ray tilted down 6 deg meets the floor
    _a, dist, _q = nearest(180.0)
    assert dist == pytest.approx(0.17 / math.tan(math.radians(6)) / math.cos(math.radians(6)) * 1000, abs=25)
    # device 90 deg = left: the far barrier is beyond the 2 m range: no return
    _a, dist, quality = nearest(90.0)
    assert dist == 0.0
