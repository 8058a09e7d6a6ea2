"""software_update_node: the original software update services, answered honestly.

This stack is upgraded with `deepracer install` (see systemd/ and cli/install.py), not through the
original's apt repository, so the node answers UP_TO_DATE unless an update source is configured
(parameter `update_source`: a folder whose `VERSION` file names a newer version, e.g. a copy of a
newer release); `begin_update` never reboots the car into a half-installed update.

Like the original it turns the power LED solid blue once the stack runs ("an application is
running", Developer Guide LED table).
"""

from __future__ import annotations

from typing import Any

from deepracer_interfaces_pkg.msg import SoftwareUpdatePctMsg
from deepracer_interfaces_pkg.srv import (
    BeginSoftwareUpdateSrv,
    SetStatusLedSolidSrv,
    SoftwareUpdateCheckSrv,
    SoftwareUpdateStateSrv,
)
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy

from deepracer_systems_pkg.system_checks import UPDATE_AVAILABLE, check_update, installed_version
from usb_wifi_provisioner.leds import BLUE, POWER_LED


class SoftwareUpdateNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "deepracer_systems_pkg")
        super().__init__("software_update_node", **kwargs)  # the original launch file renames "software_update_process"
        self.declare_parameter("update_source", "")
        self.declare_parameter("power_led_ready", True)
        self.state = check_update(self._source(), installed_version())
        group = ReentrantCallbackGroup()
        self.pct_pub = self.create_publisher(SoftwareUpdatePctMsg, "/deepracer_systems_pkg/software_update_pct",
                                             QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
        self.create_service(SoftwareUpdateCheckSrv, "/deepracer_systems_pkg/software_update_check", self._check,
                            callback_group=group)
        self.create_service(BeginSoftwareUpdateSrv, "/deepracer_systems_pkg/begin_update", self._begin,
                            callback_group=group)
        self.create_service(SoftwareUpdateStateSrv, "/deepracer_systems_pkg/software_update_state", self._state,
                            callback_group=group)
        self.led_client: Any = self.create_client(SetStatusLedSolidSrv, "/status_led_pkg/led_solid", callback_group=group)
        self._led_done = not self.get_parameter("power_led_ready").get_parameter_value().bool_value
        self._led_timer = self.create_timer(0.5, self._power_led_ready, callback_group=MutuallyExclusiveCallbackGroup())
        self.get_logger().info(f"software_update_node started (state {self.state})")

    def _source(self) -> str:
        return self.get_parameter("update_source").get_parameter_value().string_value

    def _power_led_ready(self) -> None:
        if self._led_done:
            self._led_timer.cancel()
            return
        if not self.led_client.service_is_ready():
            return
        request = SetStatusLedSolidSrv.Request()
        request.led_index, request.color, request.hold = POWER_LED, BLUE, 0.0
        self.led_client.call_async(request)
        self._led_done = True
        self._led_timer.cancel()

    def _check(self, request: SoftwareUpdateCheckSrv.Request,
               response: SoftwareUpdateCheckSrv.Response) -> SoftwareUpdateCheckSrv.Response:
        self.state = check_update(self._source(), installed_version())
        response.software_update_state = self.state
        return response

    def _begin(self, request: BeginSoftwareUpdateSrv.Request,
               response: BeginSoftwareUpdateSrv.Response) -> BeginSoftwareUpdateSrv.Response:
        if self.state == UPDATE_AVAILABLE:
            self.get_logger().warning(f"an update is available in {self._source()}: install it with "
                                      "`sudo deepracer install` from that folder; nothing is installed from here")
        response.response_status = False
        return response

    def _state(self, request: SoftwareUpdateStateSrv.Request,
               response: SoftwareUpdateStateSrv.Response) -> SoftwareUpdateStateSrv.Response:
        response.update_state = self.state
        return response


def main(args: Any = None) -> None:
    from node_host.host import run_nodes

    run_nodes([SoftwareUpdateNode], args=args)


if __name__ == "__main__":
    main()
