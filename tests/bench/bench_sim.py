"""Simulator cost on this machine (`make bench`): camera rendering, physics, the whole sim process.

Keys:
  sim_render_mono_ms          CPU ms per 640x480 frame (one camera)
  sim_render_cpu_pct_15fps    % of one core for the camera at 15 fps (the budget is well under 20 %)
  sim_render_cpu_pct_30fps    same at 30 fps
  sim_render_stereo_ms        CPU ms per stereo pair
  sim_physics_step_us         one 10 ms physics step (vehicle + referee)
  sim_process_cpu_pct_15fps   whole `python -m sim.world` (100 Hz physics, 15 fps camera,
                              LiDAR at 10 Hz, status at 10 Hz), % of one core over a few seconds
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _cpu_per_call(fn, n: int) -> float:
    fn()
    t0 = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - t0) / n


def run() -> dict[str, float]:
    import cv2

    from calibration.maths import DEFAULT_MOTOR, DEFAULT_SERVO
    from sim.closed_loop import duty_for
    from sim.world import Simulation

    cv2.setNumThreads(1)
    sim = Simulation.create("loop", lidar=False)
    stereo = Simulation.create("loop", stereo=True, lidar=False)
    poses = [sim.track.pose_at(s * 0.05) for s in range(150)]
    i = [0]

    def render_mono() -> None:
        sim.vehicle.place(*poses[i[0] % len(poses)])
        i[0] += 1
        sim.render(0)

    def render_stereo() -> None:
        stereo.vehicle.place(*poses[i[0] % len(poses)])
        i[0] += 1
        stereo.render(0)
        stereo.render(1)

    mono_s = _cpu_per_call(render_mono, 150)
    stereo_s = _cpu_per_call(render_stereo, 60)
    motor, servo = DEFAULT_MOTOR, DEFAULT_SERVO
    step_s = _cpu_per_call(lambda: sim.step(0.01, duty_for(0.3, motor), duty_for(0.0, servo)), 500)
    results = {
        "sim_render_mono_ms": round(mono_s * 1000, 3),
        "sim_render_cpu_pct_15fps": round(mono_s * 15 * 100, 2),
        "sim_render_cpu_pct_30fps": round(mono_s * 30 * 100, 2),
        "sim_render_stereo_ms": round(stereo_s * 1000, 3),
        "sim_physics_step_us": round(step_s * 1e6, 1),
    }
    results["sim_process_cpu_pct_15fps"] = _process_cpu()
    return results


def _process_cpu(seconds: float = 6.0) -> float:
    import psutil

    from sim.status import read_status
    from sim.sysfs_tree import build_sim_sysfs

    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state"
        sysfs = build_sim_sysfs(state / "sim" / "sys")
        env = dict(os.environ, DEEPRACER_STATE_DIR=str(state), DEEPRACER_SYSFS_ROOT=str(sysfs),
                   DEEPRACER_HARDWARE="sim")
        proc = subprocess.Popen([sys.executable, "-m", "sim.world", "--track", "loop", "--fps", "15"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while read_status(state / "sim") is None:
                if time.monotonic() > deadline or proc.poll() is not None:
                    return float("nan")
                time.sleep(0.05)
            ps = psutil.Process(proc.pid)
            time.sleep(1.0)  # settle (imports, texture) before measuring
            c0, t0 = ps.cpu_times(), time.monotonic()
            time.sleep(seconds)
            c1, t1 = ps.cpu_times(), time.monotonic()
            used = (c1.user - c0.user) + (c1.system - c0.system)
            return round(100 * used / (t1 - t0), 2)
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
