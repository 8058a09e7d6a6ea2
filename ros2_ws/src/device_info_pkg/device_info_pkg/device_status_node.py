"""device_status_node: the community's device status (DeviceStatusMsg / GetDeviceStatusSrv).

- /device_info_pkg/device_status (DeviceStatusMsg, every `status_period` s) and
  /device_info_pkg/get_device_status (GetDeviceStatusSrv, the latest values): CPU %, CPU temperature,
  CPU frequency and maximum, memory %, free disk %, and the camera-to-PWM latency (mean, p95, ms) and
  command rate (fps) from the servo node's /servo_pkg/latency (LatencyMeasureMsg).

The service answers from the values of the last period (never reads the system in a callback that
a client waits on); the latency statistics are always current. Thin adapter over
`drivers.system_metrics`. See README.md.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from deepracer_interfaces_pkg.msg import DeviceStatusMsg, LatencyMeasureMsg
from deepracer_interfaces_pkg.srv import GetDeviceStatusSrv
from rclpy.node import Node

from drivers.system_metrics import LatencyTracker, read_system_metrics
from vehicle.status import DeviceStatus

LATENCY_TOPIC = "/servo_pkg/latency"
STATUS_TOPIC = "/device_info_pkg/device_status"
STATUS_SERVICE = "/device_info_pkg/get_device_status"


class DeviceStatusNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "device_info_pkg")
        super().__init__("device_status_node", **kwargs)
        period = float(self.declare_parameter("status_period", 2.5).value)
        # a pause in the servo's latency reports longer than this starts a new window (a new drive)
        self.latency = LatencyTracker(gap_s=float(self.declare_parameter("latency_gap", 0.5).value))
        self._metrics = read_system_metrics()
        self.create_subscription(LatencyMeasureMsg, LATENCY_TOPIC, self._on_latency, 10)
        self.status_pub = self.create_publisher(DeviceStatusMsg, STATUS_TOPIC, 1)
        self.create_service(GetDeviceStatusSrv, STATUS_SERVICE, self._get_device_status)
        self.create_timer(period if period > 0 else 2.5, self._publish_status)
        self.get_logger().info(f"device_status_node started: {STATUS_TOPIC} every {period:g} s")

    def _on_latency(self, msg: Any) -> None:
        self.latency.add(float(msg.latency_ms))

    def status(self) -> DeviceStatus:
        stats = self.latency.stats(now_ns=time.monotonic_ns())
        return DeviceStatus(**asdict(self._metrics), latency_mean=stats.latency_mean,
                            latency_p95=stats.latency_p95, fps_mean=stats.fps_mean)

    def _publish_status(self) -> None:
        self._metrics = read_system_metrics()
        self.status_pub.publish(DeviceStatusMsg(**self.status().fields()))

    def _get_device_status(self, request: Any, response: Any) -> Any:
        try:
            for name, value in self.status().fields().items():
                setattr(response, name, value)
            response.error = 0
        except Exception as exc:  # report, never crash the hosting process
            self.get_logger().error(f"get_device_status: {exc}")
            response.error = 1
        return response


def main(args: list[str] | None = None) -> None:
    from node_host.host import run_nodes

    run_nodes([DeviceStatusNode], args=args)


if __name__ == "__main__":
    main()
