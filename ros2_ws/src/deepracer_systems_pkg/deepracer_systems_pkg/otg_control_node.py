"""otg_control_node: is a computer connected to the car's USB-C (OTG) port?

Reads the dwc3 controller's `link_state` file every 2 s ("U0" = connected), like the original, and
answers `/deepracer_systems_pkg/get_otg_link_state` from that cached value. The USB Ethernet gadget
itself (RNDIS/NCM, 10.0.0.1, DHCP) is set up by the operating system image, not by this node.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from deepracer_interfaces_pkg.srv import OTGLinkStateSrv
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup
from rclpy.node import Node

from deepracer_systems_pkg.system_checks import otg_link_up


def default_link_state_file() -> Path:
    from runtime.paths import sysfs_root

    return sysfs_root() / "kernel" / "debug" / "dwc3.0.auto" / "link_state"


class OtgControlNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "deepracer_systems_pkg")
        super().__init__("otg_control_node", **kwargs)
        self.declare_parameter("link_state_file", "")
        self.declare_parameter("poll_period", 2.0)
        value = self.get_parameter("link_state_file").get_parameter_value().string_value
        self.link_state_file = Path(value) if value else default_link_state_file()
        self.link_state = otg_link_up(self.link_state_file)
        self.create_service(OTGLinkStateSrv, "/deepracer_systems_pkg/get_otg_link_state", self._get,
                            callback_group=ReentrantCallbackGroup())
        period = self.get_parameter("poll_period").get_parameter_value().double_value
        self.create_timer(period, self._poll, callback_group=MutuallyExclusiveCallbackGroup())
        self.get_logger().info(f"otg_control_node started (link {'up' if self.link_state else 'down'})")

    def _poll(self) -> None:
        state = otg_link_up(self.link_state_file)
        if state != self.link_state:
            self.get_logger().info(f"USB OTG link {'up' if state else 'down'}")
        self.link_state = state

    def _get(self, request: OTGLinkStateSrv.Request, response: OTGLinkStateSrv.Response) -> OTGLinkStateSrv.Response:
        response.link_state = bool(self.link_state)
        return response


def main(args: Any = None) -> None:
    from node_host.host import run_nodes

    run_nodes([OtgControlNode], args=args)


if __name__ == "__main__":
    main()
