"""otg_control_node: the car's network over the USB cable (USB OTG Ethernet gadget).

At start it creates the USB gadget through configfs (ECM + RNDIS, `drivers.usb_gadget`) and binds it
to the car's USB device controller. Every 2 s it checks whether a computer is connected (the
controller's `state` is `configured`; the original's dwc3 `link_state` `U0` where no controller is
bound); on connect it gives the car 10.0.0.1 (RNDIS) / 10.0.1.1 (ECM) and starts dnsmasq, which hands
the computer an address and answers `deepracer.aws`; on disconnect it takes that down again
(`drivers.usb_network.OtgService`). `/deepracer_systems_pkg/get_otg_link_state` answers the cached
link state, as the original. At shutdown the network is stopped and the gadget removed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from deepracer_interfaces_pkg.srv import OTGLinkStateSrv
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup
from rclpy.node import Node

from drivers.usb_network import OtgService


class OtgControlNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "deepracer_systems_pkg")
        super().__init__("otg_control_node", **kwargs)
        self.declare_parameter("link_state_file", "")
        self.declare_parameter("poll_period", 2.0)
        self.declare_parameter("usb_gadget", True)
        value = self.get_parameter("link_state_file").get_parameter_value().string_value
        create = self.get_parameter("usb_gadget").get_parameter_value().bool_value
        self.service = OtgService(link_state_file=Path(value) if value else None, create_gadget=create)
        if create and self.service.start():
            self.get_logger().info(f"USB network gadget bound to {self.service.gadget.controller}")
        elif create:
            self.get_logger().info(f"no USB network over the cable: {self.service.problem}")
        self.link_state = self.service.poll()
        self.create_service(OTGLinkStateSrv, "/deepracer_systems_pkg/get_otg_link_state", self._get,
                            callback_group=ReentrantCallbackGroup())
        period = self.get_parameter("poll_period").get_parameter_value().double_value
        # ip and dnsmasq run in this callback: its own group, never blocking other nodes' callbacks
        self.create_timer(period, self._poll, callback_group=MutuallyExclusiveCallbackGroup())
        self.get_logger().info(f"otg_control_node started (link {'up' if self.link_state else 'down'})")

    def _poll(self) -> None:
        state = self.service.poll()
        if state != self.link_state:
            self.get_logger().info(f"USB OTG link {'up' if state else 'down'}")
        self.link_state = state

    def _get(self, request: OTGLinkStateSrv.Request, response: OTGLinkStateSrv.Response) -> OTGLinkStateSrv.Response:
        response.link_state = bool(self.link_state)
        return response

    def destroy_node(self) -> None:
        self.service.stop()
        super().destroy_node()


def main(args: Any = None) -> None:
    from node_host.host import run_nodes

    run_nodes([OtgControlNode], args=args)


if __name__ == "__main__":
    main()
