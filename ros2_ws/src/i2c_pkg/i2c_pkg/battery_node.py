"""battery_node: /i2c_pkg/battery_level from the compute-battery fuel gauge (read on each call).

Thin adapter over `drivers.battery` (real gauge on /dev/i2c-N, or the simulated car's register
emulator when DEEPRACER_HARDWARE=sim). A board without a gauge answers -1 like the original, but
says so once in the log as information, not as an error on every poll. See README.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deepracer_interfaces_pkg.srv import BatteryLevelSrv
from node_host.ros_helpers import read_parameters
from rclpy.node import Node

from drivers.battery import BatteryGauge, open_battery_gauge
from runtime.paths import hardware_mode


@dataclass(frozen=True)
class BatteryParams:
    backend: str = field(default_factory=hardware_mode)   # "real" (I2C gauge) or "sim"
    i2c_bus: int = -1                                     # -1: the board's default bus


class BatteryNode(Node):
    """Service: /i2c_pkg/battery_level (BatteryLevelSrv) -> level 0..11, -1 on error or no gauge."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "i2c_pkg")
        super().__init__("battery_node", **kwargs)
        params = read_parameters(self, BatteryParams)
        backend, bus = params.backend, params.i2c_bus
        try:
            self.gauge: BatteryGauge | None = open_battery_gauge(backend, bus=bus if bus >= 0 else None)
        except ValueError as exc:
            self.get_logger().error(str(exc))
            self.gauge = None
        self._unavailable_reported = False
        self.create_service(BatteryLevelSrv, "/i2c_pkg/battery_level", self._battery_level)
        self.get_logger().info(f"battery_node started ({backend} gauge"
                               f"{', ' + self.gauge.bus_name if self.gauge else ''})")

    def _battery_level(self, request: BatteryLevelSrv.Request,
                       response: BatteryLevelSrv.Response) -> BatteryLevelSrv.Response:
        if self.gauge is None:
            response.level = -1
            return response
        reading = self.gauge.read()
        response.level = reading.level
        if not reading.available:
            if not self._unavailable_reported:
                self.get_logger().info(f"battery level not available on this board: {reading.problem}")
                self._unavailable_reported = True
        elif reading.problem:
            self.get_logger().warning(reading.problem, throttle_duration_sec=60.0)
        return response


def main(args: list[str] | None = None) -> None:
    from node_host.host import run_nodes

    run_nodes([BatteryNode], args=args)


if __name__ == "__main__":
    main()
