"""network_monitor_node: is the car on a network, and the Wi-Fi LED says so.

- Publishes `/deepracer_systems_pkg/network_connection_status` (NetworkConnectionStatus) every 10 s:
  `network_connected` is true when some interface other than loopback and the car's own USB
  gadget (10.0.0.1/10.0.1.1) has an IPv4 address.
- Every 2 s keeps the Wi-Fi LED in sync through `/status_led_pkg/led_solid`: solid blue when the
  car is associated with an SSID, off otherwise. The LED is left alone while the USB provisioner
  applies a wifi-creds.txt (it blinks the LED itself), like the original paused its updates.

Wi-Fi set-up from USB drives is done by the USB provisioner service (usb_wifi_provisioner), which
uses the same network library (`drivers.network`) as this node and the device console.
"""

from __future__ import annotations

import threading
from typing import Any

from deepracer_interfaces_pkg.msg import NetworkConnectionStatus
from deepracer_interfaces_pkg.srv import SetStatusLedSolidSrv
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup
from rclpy.node import Node

from drivers import network
from usb_wifi_provisioner.drive_queue import read_status
from usb_wifi_provisioner.leds import BLUE, NO_COLOR, WIFI_LED
from usb_wifi_provisioner.settings import ProvisionerSettings


class NetworkMonitorNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "deepracer_systems_pkg")
        super().__init__("network_monitor_node", **kwargs)
        self.declare_parameter("status_period", 10.0)
        self.declare_parameter("led_period", 2.0)
        self.declare_parameter("led_sync", True)
        self.settings = ProvisionerSettings.from_env()
        self._last_led: str | None = None
        self._led_lock = threading.Lock()

        self.status_pub = self.create_publisher(NetworkConnectionStatus,
                                                "/deepracer_systems_pkg/network_connection_status", 1)
        self.led_client: Any = self.create_client(SetStatusLedSolidSrv, "/status_led_pkg/led_solid",
                                             callback_group=ReentrantCallbackGroup())
        status_period = self.get_parameter("status_period").get_parameter_value().double_value
        led_period = self.get_parameter("led_period").get_parameter_value().double_value
        # nmcli/iwgetid run in these callbacks: their own groups, never blocking other nodes' callbacks
        self.create_timer(status_period, self.publish_status, callback_group=MutuallyExclusiveCallbackGroup())
        if self.get_parameter("led_sync").get_parameter_value().bool_value:
            self.create_timer(led_period, self.sync_wifi_led, callback_group=MutuallyExclusiveCallbackGroup())
        # first status soon after start (subscribers such as a software update wait for it)
        self._first = self.create_timer(0.5, self._first_status, callback_group=MutuallyExclusiveCallbackGroup())
        self.get_logger().info("network_monitor_node started")

    def _first_status(self) -> None:
        self._first.cancel()
        self.publish_status()

    def publish_status(self) -> None:
        msg = NetworkConnectionStatus()
        msg.network_connected = network.network_connected()
        self.status_pub.publish(msg)

    def provisioner_busy(self) -> bool:
        return bool(read_status(self.settings.status_path).get("wifi_busy"))

    def sync_wifi_led(self) -> None:
        if self.provisioner_busy():
            with self._led_lock:
                self._last_led = None  # resend once the provisioner is done
            return
        color = BLUE if network.current_ssid() else NO_COLOR
        if not self.led_client.service_is_ready():
            return
        with self._led_lock:
            if color == self._last_led:
                return
            self._last_led = color  # sent once; forgotten again if the call fails
        request = SetStatusLedSolidSrv.Request()
        request.led_index, request.color, request.hold = WIFI_LED, color, 0.0
        future = self.led_client.call_async(request)

        def _done(fut: Any, color: str = color) -> None:
            try:
                ok = fut.result() is not None and fut.result().error == 0
            except Exception:
                ok = False
            if not ok:
                with self._led_lock:
                    if self._last_led == color:
                        self._last_led = None

        future.add_done_callback(_done)


def main(args: Any = None) -> None:
    from node_host.host import run_nodes

    run_nodes([NetworkMonitorNode], args=args)


if __name__ == "__main__":
    main()
