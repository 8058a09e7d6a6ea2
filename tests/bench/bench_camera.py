"""Camera path cost (`make bench`): capture -> /camera_pkg/video_mjpeg latency and CPU per camera.

A real camera_node process plays folders of 640x480 camera JPEGs (paced at 30 fps; each file is handed
on as it is, as a USB camera's MJPEG frame) and publishes CameraMsg (community dialect: the JPEGs, never
decoded); a subscriber in this process measures, per message, receive time minus the image's capture
stamp (the stamp is the frame's capture tick, taken before reading, so the latency covers read +
publish + DDS delivery).

Keys (mono = one camera, stereo = two):
  camera_{mono,stereo}_latency_p50_ms / _p99_ms   capture -> received on /camera_pkg/video_mjpeg
  camera_{mono,stereo}_fps                          messages per second received
  camera_{mono,stereo}_cpu_pct_per_camera           camera_node process CPU (% of one core) / cameras
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

WARMUP_S = 2.0
MEASURE_S = 6.0
FPS = 30.0


def _textured_clip(path: Path, frames: int = 30) -> Path:
    """A folder of 640x480 JPEG frames with camera-like texture (realistic JPEG sizes)."""
    import cv2

    rng = np.random.default_rng(3)
    base = cv2.GaussianBlur(rng.integers(0, 256, (480, 640, 3), dtype=np.uint8), (0, 0), 3)
    path.mkdir(parents=True, exist_ok=True)
    for i in range(frames):
        frame = np.roll(base, i * 7, axis=1)
        cv2.putText(frame, f"{i:03d}", (40, 120), cv2.FONT_HERSHEY_SIMPLEX, 3, (255, 255, 255), 5)
        cv2.imwrite(str(path / f"frame_{i:03d}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return path


def _measure(tmp: Path, clips: list[Path], label: str) -> dict[str, float]:
    import psutil
    from deepracer_interfaces_pkg.msg import CameraMsg
    from deepracer_interfaces_pkg.srv import VideoStateSrv

    from tests.support.ros import NodeProcess, RosTestNode, wait_until

    devices = "[" + ", ".join(f"'{c}'" for c in clips) + "]"
    node = NodeProcess("camera_pkg.camera_node", tmp / f"camera_{label}.log",
                       ros_args=["-p", "source:=file", "-p", f"devices:={devices}", "-p", f"fps:={FPS}"],
                       env={"DEEPRACER_STATE_DIR": str(tmp / "state")})
    ros = RosTestNode(f"bench_camera_{label}_{os.getpid()}")
    samples: list[tuple[int, int]] = []  # (receive ns, capture ns)
    recording = threading.Event()

    def on_msg(msg: CameraMsg) -> None:
        now = time.time_ns()
        if recording.is_set() and msg.images:
            stamp = msg.images[0].header.stamp
            samples.append((now, stamp.sec * 1_000_000_000 + stamp.nanosec))

    try:
        ros.node.create_subscription(CameraMsg, "/camera_pkg/video_mjpeg", on_msg, 1)
        response = ros.call(VideoStateSrv, "/camera_pkg/media_state", VideoStateSrv.Request(activate_video=1), 30)
        if response.error:
            raise RuntimeError(f"media_state failed: {node.log_text()[-2000:]}")
        process = psutil.Process(node.proc.pid)
        recording.set()
        wait_until(lambda: samples, 30, "first camera message")
        time.sleep(WARMUP_S)  # benchmark warm-up (not test synchronisation)
        samples.clear()
        process.cpu_percent(None)
        start = time.monotonic()
        time.sleep(MEASURE_S)
        cpu = process.cpu_percent(None)
        elapsed = time.monotonic() - start
        recording.clear()
    finally:
        ros.close()
        node.stop()
    latencies = np.array([(r - c) / 1e6 for r, c in samples])
    return {
        f"camera_{label}_latency_p50_ms": round(float(np.percentile(latencies, 50)), 2),
        f"camera_{label}_latency_p99_ms": round(float(np.percentile(latencies, 99)), 2),
        f"camera_{label}_fps": round(len(samples) / elapsed, 1),
        f"camera_{label}_cpu_pct_per_camera": round(cpu / len(clips), 1),
    }


def run() -> dict[str, float]:
    if "ROS_DOMAIN_ID" not in os.environ or "ROS_AUTOMATIC_DISCOVERY_RANGE" not in os.environ:
        from tests.support.ros import claim_domain_id, isolate_environment

        domain, lock = claim_domain_id()
        isolate_environment(domain)
        run._domain_lock = lock  # type: ignore[attr-defined]  # hold the id for the process lifetime
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-camera-") as name:
        tmp = Path(name)
        left = _textured_clip(tmp / "left")
        right = _textured_clip(tmp / "right")
        results.update(_measure(tmp, [left], "mono"))
        results.update(_measure(tmp, [left, right], "stereo"))
    return results


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:45s} {value}")
