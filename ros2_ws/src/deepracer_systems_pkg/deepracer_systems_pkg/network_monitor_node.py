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

from dataclasses import dataclass
from typing import Any

from deepracer_interfaces_pkg.msg import NetworkConnectionStatus
from deepracer_interfaces_pkg.srv import SetStatusLedSolidSrv
from node_host.ros_helpers import offload, read_parameters
from rclpy.client import Client
from rclpy.node import Node
from rclpy.task import Future

from drivers import network
from usb_wifi_provisioner.drive_queue import read_status
from usb_wifi_provisioner.leds import BLUE, NO_COLOR, WIFI_LED
from usb_wifi_provisioner.settings import ProvisionerSettings


@dataclass(frozen=True)
class NetworkMonitorParams:
    status_period: float = 10.0   # s between network_connection_status messages
    led_period: float = 2.0       # s between looks at the Wi-Fi association (LED)
    led_sync: bool = True         # keep the Wi-Fi LED in sync


class NetworkMonitorNode(Node):
    """nmcli and iwgetid run on a worker thread (`offload`): the core process's executor never waits on them."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "deepracer_systems_pkg")
        super().__init__("network_monitor_node", **kwargs)
        self.params = read_parameters(self, NetworkMonitorParams)
        self.settings = ProvisionerSettings.from_env()
        self._last_led: str | None = None
        self._busy: set[str] = set()   # the looks in progress ("status", "led"): never two of a kind

        self.status_pub = self.create_publisher(NetworkConnectionStatus,
                                                "/deepracer_systems_pkg/network_connection_status", 1)
        self.led_client: Client[SetStatusLedSolidSrv.Request, SetStatusLedSolidSrv.Response] = self.create_client(
            SetStatusLedSolidSrv, "/status_led_pkg/led_solid")
        self.create_timer(self.params.status_period, self.publish_status)
        if self.params.led_sync:
            self.create_timer(self.params.led_period, self.sync_wifi_led)
        # first status soon after start (subscribers such as a software update wait for it)
        self._first = self.create_timer(0.5, self._first_status)
        self.get_logger().info("network_monitor_node started")

    def _first_status(self) -> None:
        self._first.cancel()
        self.publish_status()

    def _look(self, what: str, work: Any, then: Any) -> None:
        """Run `work()` on a worker thread unless one of its kind still runs; `then(result)` on the executor."""
        if what in self._busy:
            return
        self._busy.add(what)

        def done(future: Future[Any]) -> None:
            self._busy.discard(what)
            try:
                result = future.result()
            except Exception as exc:  # nmcli missing or failing: said, tried again next period
                self.get_logger().warning(f"network {what}: {exc!r}", throttle_duration_sec=60.0)
                return
            then(result)

        offload(self, work).add_done_callback(done)

    def publish_status(self) -> None:
        self._look("status", network.network_connected, self._publish_connected)

    def _publish_connected(self, connected: bool) -> None:
        msg = NetworkConnectionStatus()
        msg.network_connected = bool(connected)
        self.status_pub.publish(msg)

    def provisioner_busy(self) -> bool:
        return bool(read_status(self.settings.status_path).get("wifi_busy"))

    def sync_wifi_led(self) -> None:
        if self.provisioner_busy():
            self._last_led = None  # resend once the provisioner is done
            return
        self._look("led", network.current_ssid, self._show_wifi)

    def _show_wifi(self, ssid: str | None) -> None:
        color = BLUE if ssid else NO_COLOR
        if color == self._last_led or not self.led_client.service_is_ready() or self.provisioner_busy():
            return
        self._last_led = color  # sent once; forgotten again if the call fails
        request = SetStatusLedSolidSrv.Request()
        request.led_index, request.color, request.hold = WIFI_LED, color, 0.0

        def sent(future: Future[SetStatusLedSolidSrv.Response], color: str = color) -> None:
            try:
                answer = future.result()
                ok = answer is not None and answer.error == 0
            except Exception:
                ok = False
            if not ok and self._last_led == color:
                self._last_led = None

        self.led_client.call_async(request).add_done_callback(sent)


def main(args: Any = None) -> None:
    from node_host.host import run_nodes

    run_nodes([NetworkMonitorNode], args=args)


if __name__ == "__main__":
    main()
