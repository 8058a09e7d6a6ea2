"""status_led_node: solid and blink effects on the three system LEDs (Wi-Fi 0, camera 1, power 2).

Thin adapter over `drivers.status_leds.StatusLedController` (sysfs GPIO, queued effects, one
worker thread per LED). See README.md for the services.
"""

from __future__ import annotations

from typing import Any

from deepracer_interfaces_pkg.srv import SetStatusLedBlinkSrv, SetStatusLedSolidSrv
from rclpy.node import Node

from drivers.gpio import SysfsGpio
from drivers.status_leds import StatusLedController, StatusLedError


class StatusLedNode(Node):
    """Services: /status_led_pkg/led_solid (SetStatusLedSolidSrv), /status_led_pkg/led_blink (SetStatusLedBlinkSrv)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "status_led_pkg")
        super().__init__("status_led_node", **kwargs)
        self.leds = StatusLedController(SysfsGpio(), on_error=self._report)
        self.create_service(SetStatusLedSolidSrv, "/status_led_pkg/led_solid", self._solid)
        self.create_service(SetStatusLedBlinkSrv, "/status_led_pkg/led_blink", self._blink)
        self.get_logger().info("status_led_node started")

    def _report(self, message: str) -> None:
        self.get_logger().error(message, throttle_duration_sec=5.0)

    def _solid(self, request: SetStatusLedSolidSrv.Request,
               response: SetStatusLedSolidSrv.Response) -> SetStatusLedSolidSrv.Response:
        try:
            self.leds.solid(int(request.led_index), str(request.color), float(request.hold))
            response.error = 0
        except StatusLedError as exc:
            self.get_logger().error(f"led_solid: {exc}")
            response.error = 1
        return response

    def _blink(self, request: SetStatusLedBlinkSrv.Request,
               response: SetStatusLedBlinkSrv.Response) -> SetStatusLedBlinkSrv.Response:
        try:
            self.leds.blink(int(request.led_index), str(request.color1), str(request.color2), float(request.delay))
            response.error = 0
        except StatusLedError as exc:
            self.get_logger().error(f"led_blink: {exc}")
            response.error = 1
        return response

    def on_shutdown(self) -> None:
        """Stop every effect and turn the status LEDs off."""
        self.leds.close()


def main(args: list[str] | None = None) -> None:
    from node_host.host import run_nodes

    run_nodes([StatusLedNode], args=args)


if __name__ == "__main__":
    main()
