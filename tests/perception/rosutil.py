"""Helpers for the perception ROS tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rclpy.qos import QoSProfile, ReliabilityPolicy

SENSOR_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.BEST_EFFORT)


def stamp_ns(msg: Any) -> int:
    return int(msg.header.stamp.sec) * 1_000_000_000 + int(msg.header.stamp.nanosec)


def publish_until(publish: Callable[[], None], done: Callable[[], Any], timeout: float = 15.0,
                  what: str = "condition", period: float = 0.05) -> Any:
    """Publish repeatedly (discovery takes a moment) until `done()` is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        publish()
        result = done()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.1f} s waiting for {what}")
        time.sleep(period)
