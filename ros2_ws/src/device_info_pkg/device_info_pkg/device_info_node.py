"""device_info_node: what the car is (GetDeviceInfoSrv, community dialect).

- /device_info_pkg/get_device_info (GetDeviceInfoSrv): hardware revision from the board-id GPIOs
  (read once), software version, and as the community's node: CPU model, RAM (MiB), disk size, OS
  version and ROS distribution (read once); "--" when unknown.

The device status (CPU, temperature, memory, disk, latency, fps) is device_status_node's.
Thin adapter over `drivers.board` and `drivers.system_metrics`. See README.md.
"""

from __future__ import annotations

from typing import Any

from deepracer_interfaces_pkg.srv import GetDeviceInfoSrv
from rclpy.node import Node

from drivers.board import hardware_version, secure_boot_enabled, software_version
from drivers.system_metrics import read_system_description
from vehicle.status import DeviceInfo


class DeviceInfoNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "device_info_pkg")
        super().__init__("device_info_node", **kwargs)
        self.info = DeviceInfo(hardware_version=hardware_version(), software_version=software_version(),
                               **read_system_description())
        secure = secure_boot_enabled()
        self.get_logger().info(f"device_info_node started: hardware {self.info.hardware_version}, "
                               f"software {self.info.software_version}, {self.info.cpu_model}, "
                               f"{self.info.os_version}, ROS 2 {self.info.ros_distro}, secure boot "
                               f"{'unknown' if secure is None else ('on' if secure else 'off')}")
        self.create_service(GetDeviceInfoSrv, "/device_info_pkg/get_device_info", self._get_device_info)

    def _get_device_info(self, request: GetDeviceInfoSrv.Request,
                         response: GetDeviceInfoSrv.Response) -> GetDeviceInfoSrv.Response:
        for name, value in self.info.fields().items():
            setattr(response, name, value)
        response.error = 0
        return response


def main(args: list[str] | None = None) -> None:
    from node_host.host import run_nodes

    run_nodes([DeviceInfoNode], args=args)


if __name__ == "__main__":
    main()
