"""Demo nodes (real rclpy, real deepracer_interfaces_pkg types) used by the foundation tests."""

from __future__ import annotations

from typing import Any

from deepracer_interfaces_pkg.msg import ServoCtrlMsg
from deepracer_interfaces_pkg.srv import GetCalibrationSrv, GetLedCtrlSrv, SetLedCtrlSrv
from rclpy.node import Node


class DemoTalker(Node):
    """Publishes ServoCtrlMsg(angle=<param angle>, throttle=counter) on /demo/cmd at 50 Hz."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "demo")
        super().__init__("talker", **kwargs)
        self.declare_parameter("angle", 0.1)
        self.declare_parameter("output_path", "")
        self._pub = self.create_publisher(ServoCtrlMsg, "/demo/cmd", 10)
        self._count = 0
        self.create_timer(0.02, self._tick)

    def _tick(self) -> None:
        self._count += 1
        angle = float(self.get_parameter("angle").value)
        self._pub.publish(ServoCtrlMsg(angle=angle, throttle=float(self._count % 1000) / 1000.0))


class DemoRelay(Node):
    """Remembers the last /demo/cmd and serves it; also stores an LED colour."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "demo")
        super().__init__("relay", **kwargs)
        self._last: ServoCtrlMsg | None = None
        self._led = (0, 0, 0)
        self.create_subscription(ServoCtrlMsg, "/demo/cmd", self._on_cmd, 10)
        self.create_service(GetCalibrationSrv, "/demo/get_last", self._get_last)
        self.create_service(SetLedCtrlSrv, "/demo/set_led", self._set_led)
        self.create_service(GetLedCtrlSrv, "/demo/get_led", self._get_led)

    def _on_cmd(self, msg: ServoCtrlMsg) -> None:
        self._last = msg

    def _get_last(self, request: Any, response: Any) -> Any:
        if self._last is None:
            response.error = 1
            return response
        response.max = int(round(self._last.angle * 1000))
        response.error = 0
        return response

    def _set_led(self, request: Any, response: Any) -> Any:
        if not all(0 <= v <= 10_000_000 for v in (request.red, request.green, request.blue)):
            response.error = 1
            return response
        self._led = (request.red, request.green, request.blue)
        response.error = 0
        return response

    def _get_led(self, request: Any, response: Any) -> Any:
        response.red, response.green, response.blue = self._led
        return response


class DemoIdle(Node):
    """An optional node that does nothing (stands in for a sensor that may be absent)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "demo")
        super().__init__("idle", **kwargs)
