"""Device console figures: API round trip over real uvicorn, and MJPEG encoding cost per frame."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def run() -> dict[str, float]:
    from device_console.core.config import CAMERA_TOPIC
    from device_console.main import create_app
    from device_console.streaming import StreamHub
    from tests.console.conftest import make_settings
    from tests.console.fake_car import FakeCar
    from tests.console.live_server import LiveServer

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(make_settings(Path(tmp)), FakeCar(), run_watchdog=False)
        with LiveServer(app) as server:
            client, csrf = server.logged_in_client()
            body = {"angle": 0.3, "throttle": -0.5, "max_speed": 0.5}
            for _ in range(20):  # warm-up
                client.put("/api/manual_drive", json=body, headers={"X-CSRFToken": csrf})
            latencies = []
            for _ in range(300):
                t0 = time.perf_counter()
                client.put("/api/manual_drive", json=body, headers={"X-CSRFToken": csrf})
                latencies.append((time.perf_counter() - t0) * 1000)
            client.close()
        figures["console_manual_drive_p50_ms"] = statistics.median(latencies)
        figures["console_manual_drive_p95_ms"] = _percentile(latencies, 95)

    hub = StreamHub([CAMERA_TOPIC])
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (120, 160, 3), dtype=np.uint8) for _ in range(30)]
    durations = []
    for image in frames:
        hub.publish_bgr(CAMERA_TOPIC, image)
        frame = hub.latest(CAMERA_TOPIC)
        assert frame is not None
        t0 = time.perf_counter()
        hub.encode_sync(CAMERA_TOPIC, frame, 480, 360, None)
        durations.append((time.perf_counter() - t0) * 1000)
        hub.encode_sync(CAMERA_TOPIC, frame, 480, 360, None)  # a second viewer: cached, no encode
    figures["console_mjpeg_encode_480x360_ms"] = statistics.median(durations)
    figures["console_mjpeg_encodes_per_frame_2_viewers"] = hub.encode_count / len(frames)
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value:.3f}")
