"""Shared pieces of the actuation ROS tests: a simulated car tree per process, QoS, output readers."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rclpy.duration import Duration
from rclpy.event_handler import PublisherEventCallbacks
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy

from drivers.sim.sysfs_tree import build_sim_sysfs, sim_gpio_value_path, sim_pwm_duty_path
from tests.support.ros import wait_until

NEUTRAL = ("1446000", "1450000")   # default motor mid, servo mid


class SimCar:
    """A fake /sys and state dir for one node process; reads what the drivers wrote."""

    def __init__(self, base: Path) -> None:
        self.sys = build_sim_sysfs(base / "sys", net_interfaces=["lo"])
        self.state = base / "state"
        self.state.mkdir(parents=True, exist_ok=True)

    @property
    def env(self) -> dict[str, str]:
        return {"DEEPRACER_SYSFS_ROOT": str(self.sys), "DEEPRACER_STATE_DIR": str(self.state),
                "DEEPRACER_HARDWARE": "sim", "DEEPRACER_PWM_BACKEND": "sysfs"}

    def duty(self, channel: int) -> str:
        return sim_pwm_duty_path(self.sys, channel).read_text()

    def drive_duties(self) -> tuple[str, str]:
        return self.duty(0), self.duty(1)

    def led_duties(self) -> tuple[str, str, str]:
        return self.duty(2), self.duty(3), self.duty(4)

    def gpio(self, number: int) -> str:
        return sim_gpio_value_path(self.sys, number).read_text()


def command_qos(deadline_s: float = 0.0) -> QoSProfile:
    qos = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1, reliability=ReliabilityPolicy.BEST_EFFORT)
    if deadline_s:
        qos.deadline = Duration(nanoseconds=int(deadline_s * 1e9))
    return qos


def make_publisher(ros: Any, msg_type: Any, topic: str, qos: QoSProfile | None = None) -> Any:
    """A publisher that does not warn about the servo node's deadline-only listener (by design incompatible)."""
    return ros.node.create_publisher(msg_type, topic, qos or command_qos(),
                                     event_callbacks=PublisherEventCallbacks(incompatible_qos=lambda _info: None))


def wait_for_subscriber(publisher: Any, timeout: float = 15.0) -> None:
    wait_until(lambda: publisher.get_subscription_count() > 0, timeout, f"a subscriber on {publisher.topic_name}")


def publish_until(publisher: Any, msg: Any, predicate: Callable[[], Any], timeout: float = 10.0,
                  what: str = "the command to take effect") -> Any:
    """Publish `msg` repeatedly (best effort may drop one) until `predicate()` holds."""
    deadline = time.monotonic() + timeout
    while True:
        publisher.publish(msg)
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.1f} s waiting for {what}")
        time.sleep(0.02)


def wait_for_log(process: Any, text: str, timeout: float = 10.0) -> None:
    wait_until(lambda: text in process.log_text(), timeout, f"{text!r} in the node log")
