"""Messages as the car publishes them, whichever image layout the interface package has
(`sensor_msgs/Image` or the community dialect's `sensor_msgs/CompressedImage`)."""

from __future__ import annotations

from typing import Any

import numpy as np

BASE_SEC = 1_780_000_000


def image_type_name() -> str:
    from deepracer_interfaces_pkg.msg import InferResultsArray

    return InferResultsArray.get_fields_and_field_types()["images"]


def frame(i: int) -> Any:
    """Camera frame i: a small real image, capture stamp BASE_SEC + i/30 s."""
    import cv2

    pixels = np.zeros((12, 16, 3), np.uint8)
    pixels[:, : (i % 16) + 1] = (40 + i % 200, 90, 200)
    if "CompressedImage" in image_type_name():
        from sensor_msgs.msg import CompressedImage

        img: Any = CompressedImage(format="jpeg", data=bytes(cv2.imencode(".jpg", pixels)[1]))
    else:
        from sensor_msgs.msg import Image

        img = Image(height=12, width=16, encoding="bgr8", is_bigendian=0, step=48, data=pixels.tobytes())
    ns = i * 1_000_000_000 // 30
    img.header.stamp.sec = BASE_SEC + ns // 1_000_000_000
    img.header.stamp.nanosec = ns % 1_000_000_000
    img.header.frame_id = "camera"
    return img


def results(i: int, actions: int = 5) -> Any:
    from deepracer_interfaces_pkg.msg import InferResults, InferResultsArray

    probs = np.random.default_rng(i).dirichlet(np.ones(actions)).astype(np.float32)
    msg = InferResultsArray()
    msg.results = [InferResults(class_label=k, class_prob=float(p), x_min=-1.0, y_min=-1.0, x_max=-1.0, y_max=-1.0)
                   for k, p in enumerate(probs)]
    msg.images = [frame(i)]
    return msg


def device_status(i: int) -> Any:
    from deepracer_interfaces_pkg.msg import DeviceStatusMsg

    return DeviceStatusMsg(cpu_percent=10.0 + i, cpu_temp=50.5, cpu_freq=1200.0, cpu_freq_max=2400.0,
                           memory_usage=33.0, free_disk=71.0, latency_mean=12.5, latency_p95=20.0,
                           fps_mean=29.75)  # float32-exact values: the bag holds float32
