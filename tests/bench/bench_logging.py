"""The recorder's cost: bag_log_node (its own process, as in the graph) recording /inference_pkg/rl_results
with a 160x120 camera image at 30 fps plus the device status, into an mcap bag. CPU of that process over
the window, as % of one core (budget: 10 %)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FPS = 30.0
WINDOW_S = 10.0


def _frame(i: int):
    import numpy as np
    from deepracer_interfaces_pkg.msg import InferResults, InferResultsArray

    from tests.recording import messages

    msg = InferResultsArray()
    msg.results = [InferResults(class_label=k, class_prob=0.2, x_min=-1.0, y_min=-1.0, x_max=-1.0, y_max=-1.0)
                   for k in range(5)]
    image = messages.frame(i)
    if hasattr(image, "encoding"):   # raw layout: a full camera-sized image
        image.height, image.width, image.step = 120, 160, 480
        image.data = np.random.default_rng(i).integers(0, 255, 120 * 160 * 3, dtype=np.uint8).tobytes()
    else:
        import cv2

        pixels = np.random.default_rng(i).integers(0, 255, (120, 160, 3), dtype=np.uint8)
        image.data = bytes(cv2.imencode(".jpg", pixels)[1])
    msg.images = [image]
    return msg


def run() -> dict[str, float]:
    import psutil
    from deepracer_interfaces_pkg.msg import DeviceStatusMsg, ServoCtrlMsg
    from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
    from std_msgs.msg import String

    from tests.support.ros import RosTestNode, wait_until

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        env = dict(os.environ, DEEPRACER_STATE_DIR=str(base / "state"))
        log = open(base / "node.log", "wb")
        proc = subprocess.Popen([sys.executable, "-u", "-m", "logging_pkg.bag_log_node", "--ros-args", "-p",
                                 f"output_path:={base / 'bags'}", "-p", "min_free_mb:=1"],
                                env=env, stdout=log, stderr=subprocess.STDOUT)
        ros = RosTestNode("bench_logging")
        try:
            latched = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                                 durability=DurabilityPolicy.TRANSIENT_LOCAL)
            ros.node.create_publisher(String, "/inference_pkg/model_artifact", latched).publish(
                String(data=str(base / "artifacts" / "bench-model" / "model.xml")))
            from deepracer_interfaces_pkg.msg import InferResultsArray

            results = ros.node.create_publisher(InferResultsArray, "/inference_pkg/rl_results", 1)
            drive = ros.node.create_publisher(ServoCtrlMsg, "/deepracer_navigation_pkg/auto_drive", 1)
            status = ros.node.create_publisher(DeviceStatusMsg, "/device_info_pkg/device_status", 1)
            frames = [_frame(i) for i in range(30)]
            count = [0]

            def tick() -> None:
                results.publish(frames[count[0] % len(frames)])
                drive.publish(ServoCtrlMsg(angle=0.0, throttle=0.3))
                if count[0] % 75 == 0:
                    status.publish(DeviceStatusMsg(cpu_percent=20.0))
                count[0] += 1

            def recording() -> bool:
                tick()
                time.sleep(1 / FPS)
                bags = list((base / "bags").glob("bench-model-*/*.mcap"))
                return bool(bags) and bags[0].stat().st_size > 0
            wait_until(recording, 60, "the recorder to record")
            node = psutil.Process(proc.pid)
            cpu0, t0 = sum(node.cpu_times()[:2]), time.monotonic()
            next_at = t0
            while time.monotonic() - t0 < WINDOW_S:
                tick()
                next_at += 1 / FPS
                time.sleep(max(0.0, next_at - time.monotonic()))
            cpu = sum(node.cpu_times()[:2]) - cpu0
            wall = time.monotonic() - t0
            size = sum(p.stat().st_size for p in (base / "bags").rglob("*") if p.is_file())
            return {"logging_recorder_cpu_pct_30fps": 100.0 * cpu / wall,
                    "logging_recorder_mb_per_min_30fps": size / 1e6 / (wall + 1e-9) * 60}
        finally:
            ros.close()
            proc.terminate()
            proc.wait(10)
            log.close()
