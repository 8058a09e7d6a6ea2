"""device_info_node: hardware/software version, and the device status (community extension).

- /device_info_pkg/get_device_info (GetDeviceInfoSrv): hardware revision from the board-id GPIOs
  (read once), software version; "--" when unknown.
- /device_info_pkg/get_device_status (GetDeviceStatusSrv) and /device_info_pkg/device_status
  (DeviceStatusMsg, every `status_period` s): CPU %, CPU temperature, CPU frequency, memory %,
  free disk %, and the end-to-end command latency (mean, p95) and rate from
  /ctrl_pkg/servo_msg_stamped (camera capture stamp -> arrival here).

Thin adapter over `drivers.board` and `drivers.system_metrics`. See README.md.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict
from typing import Any

from deepracer_interfaces_pkg.msg import DeviceStatusMsg, ServoCtrlStampedMsg
from deepracer_interfaces_pkg.srv import GetDeviceInfoSrv, GetDeviceStatusSrv
from rclpy.node import Node
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy

from drivers.board import hardware_version, secure_boot_enabled, software_version
from drivers.system_metrics import LatencyTracker, read_system_metrics
from vehicle.status import DeviceStatus, SystemMetrics


class DeviceInfoNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "device_info_pkg")
        super().__init__("device_info_node", **kwargs)
        period = float(self.declare_parameter("status_period", 2.5).value)
        self.hardware_version = hardware_version()
        self.software_version = software_version()
        secure = secure_boot_enabled()
        self.get_logger().info(f"device_info_node started: hardware {self.hardware_version}, "
                               f"software {self.software_version}, secure boot "
                               f"{'unknown' if secure is None else ('on' if secure else 'off')}")
        self.latency = LatencyTracker()
        self._metrics = read_system_metrics()
        self._lock = threading.Lock()
        self.create_subscription(ServoCtrlStampedMsg, "/ctrl_pkg/servo_msg_stamped", self._on_stamped,
                                 QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=10,
                                            reliability=ReliabilityPolicy.BEST_EFFORT))
        self.status_pub = self.create_publisher(DeviceStatusMsg, "/device_info_pkg/device_status", 1)
        self.create_service(GetDeviceInfoSrv, "/device_info_pkg/get_device_info", self._get_device_info)
        self.create_service(GetDeviceStatusSrv, "/device_info_pkg/get_device_status", self._get_device_status)
        self.create_timer(period if period > 0 else 2.5, self._publish_status)

    def _on_stamped(self, msg: Any) -> None:
        source_ns = int(msg.source_stamp.sec) * 1_000_000_000 + int(msg.source_stamp.nanosec)
        if source_ns > 0:
            self.latency.add(source_ns, time.time_ns())

    def _status(self, refresh: bool) -> dict[str, float]:
        if refresh:
            fresh = read_system_metrics()
            with self._lock:
                self._metrics = fresh
        with self._lock:
            metrics: SystemMetrics = self._metrics
        stats = self.latency.stats(now_ns=time.time_ns())
        return DeviceStatus(**asdict(metrics), latency_mean=stats.latency_mean, latency_p95=stats.latency_p95,
                            fps_mean=stats.fps_mean).fields()

    def _publish_status(self) -> None:
        values = self._status(refresh=True)
        self.status_pub.publish(DeviceStatusMsg(**{k: float(v) for k, v in values.items()}))

    def _get_device_info(self, request: GetDeviceInfoSrv.Request,
                         response: GetDeviceInfoSrv.Response) -> GetDeviceInfoSrv.Response:
        response.hardware_version = self.hardware_version or "--"
        response.software_version = self.software_version or "--"
        response.error = 0
        return response

    def _get_device_status(self, request: GetDeviceStatusSrv.Request,
                           response: GetDeviceStatusSrv.Response) -> GetDeviceStatusSrv.Response:
        try:
            for name, value in self._status(refresh=False).items():
                setattr(response, name, float(value))
            response.error = 0
        except Exception as exc:  # report, never crash the hosting process
            self.get_logger().error(f"get_device_status: {exc}")
            response.error = 1
        return response


def main(args: list[str] | None = None) -> None:
    from node_host.host import run_nodes

    run_nodes([DeviceInfoNode], args=args)


if __name__ == "__main__":
    main()
