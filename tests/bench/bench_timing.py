"""Rates and durations on this machine (`make bench`) that the tests do not assert: on a loaded 2-core
machine they are noise, so the tests check what does not depend on the load (stamps from the source
clock, lower bounds, generous bounds that are requirements) and the figures are here.

Keys:
  sim_camera_fps               frames the simulator's 15 fps camera writes per wall-clock second
                               (tests/sim/test_world_outputs.py only checks it is not faster)
  lidar_revolution_ms_p50      one revolution of the emulated 20 Hz RPLidar through LidarDriver,
                               first to last measurement (tests/perception/test_lidar_driver_scanning.py)
  lidar_stop_ms                LidarDriver.stop() with the device gone silent mid-scan and a 60 s read
                               timeout (tests/perception/test_lidar_driver_failures.py bounds it at 10 s)
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from pathlib import Path


def _sim_camera_fps(seconds: float = 4.0) -> float:
    from sim.sysfs_tree import build_sim_sysfs
    from sim.world import World, WorldConfig

    with tempfile.TemporaryDirectory() as tmp:
        sim_dir = Path(tmp) / "sim"
        world = World(WorldConfig(fps=15.0, lidar=False, sim_dir=sim_dir, sysfs=build_sim_sysfs(sim_dir / "sys")))
        world.open()
        thread = threading.Thread(target=world.run, daemon=True)
        thread.start()
        try:
            time.sleep(1.0)  # settle
            n0, t0 = world.frames, time.monotonic()
            time.sleep(seconds)
            n1, t1 = world.frames, time.monotonic()
        finally:
            world.stop()
            thread.join(10)
            world.close()
    return round((n1 - n0) / (t1 - t0), 2)


def _lidar_figures() -> dict[str, float]:
    from drivers.lidar import LidarDriver, LidarSettings
    from sim.rplidar_device import RplidarDevice, ring_scan

    device = RplidarDevice(ring_scan(800.0, 360), scan_hz=20)
    revolutions: list = []
    driver = LidarDriver(LidarSettings(port=device.port, read_timeout=60.0, watchdog_timeout=60.0,
                                       retry_interval=0.1), revolutions.append).start()
    try:
        deadline = time.monotonic() + 20
        while len(revolutions) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        durations = [rev.duration_s * 1000 for rev in revolutions[2:]]
        device.go_silent()
        time.sleep(0.5)
        started = time.monotonic()
        driver.stop()
        stop_ms = (time.monotonic() - started) * 1000
    finally:
        device.close()
    return {"lidar_revolution_ms_p50": round(statistics.median(durations), 2) if durations else float("nan"),
            "lidar_stop_ms": round(stop_ms, 1)}


def run() -> dict[str, float]:
    return {"sim_camera_fps": _sim_camera_fps(), **_lidar_figures()}


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
