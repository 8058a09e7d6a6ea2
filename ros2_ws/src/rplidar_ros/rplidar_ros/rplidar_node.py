"""rplidarNode: RPLidar revolutions -> /rplidar_ros/scan (sensor_msgs/LaserScan).

Thin adapter over `drivers.lidar.LidarDriver` (connection, watchdog, reconnects, motor) and
`perception.laser_scan` (Slamtec rplidar_ros packing). The LiDAR is optional hardware: without one
the node says so and idles, and starts scanning when one is plugged in. See README.md.
"""

from __future__ import annotations

import array
from typing import Any

from rclpy.node import Node
from sensor_msgs.msg import LaserScan
from std_srvs.srv import Empty

from drivers.lidar import LidarDriver, LidarSettings, Revolution
from perception.laser_scan import scan_fields


def _default_port() -> str:
    from runtime.paths import dev_root

    return str(dev_root() / "ttyUSB0")


class RplidarNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "rplidar_ros")
        super().__init__("rplidarNode", **kwargs)
        self.declare_parameter("serial_port", _default_port())
        self.declare_parameter("serial_baudrate", 115200)
        self.declare_parameter("frame_id", "laser")
        self.declare_parameter("inverted", False)
        self.declare_parameter("angle_compensate", True)
        self.declare_parameter("angle_compensate_multiple", 1)
        self.declare_parameter("scan_mode", "Standard")
        self.declare_parameter("motor_pwm", 660)
        self.declare_parameter("read_timeout", 1.0)
        self.declare_parameter("watchdog_timeout", 2.0)
        self.declare_parameter("retry_interval", 1.0)
        self.declare_parameter("reset_wait", 2.0)
        self.declare_parameter("read_interval", 0.02)
        p = {name: self.get_parameter(name).value for name in (
            "serial_port", "serial_baudrate", "frame_id", "inverted", "angle_compensate",
            "angle_compensate_multiple", "scan_mode", "motor_pwm", "read_timeout", "watchdog_timeout",
            "retry_interval", "reset_wait", "read_interval")}
        self.frame_id = str(p["frame_id"])
        self.inverted = bool(p["inverted"])
        self.angle_compensate = bool(p["angle_compensate"])
        self.compensate_multiple = max(1, int(p["angle_compensate_multiple"]))
        settings = LidarSettings(port=str(p["serial_port"]), baudrate=int(p["serial_baudrate"]),
                                 read_timeout=float(p["read_timeout"]),
                                 watchdog_timeout=float(p["watchdog_timeout"]),
                                 retry_interval=float(p["retry_interval"]), reset_wait=float(p["reset_wait"]),
                                 motor_pwm=int(p["motor_pwm"]), scan_mode=str(p["scan_mode"] or ""),
                                 read_interval=float(p["read_interval"]))
        try:
            settings.validate()
        except ValueError as exc:
            self.get_logger().error(f"invalid LiDAR parameters: {exc}")
            raise
        self.scan_pub = self.create_publisher(LaserScan, "/rplidar_ros/scan", 10)
        self.create_service(Empty, "/rplidar_ros/stop_motor", self._stop_motor)
        self.create_service(Empty, "/rplidar_ros/start_motor", self._start_motor)
        self.get_logger().info(f"RPLidar on {settings.port} at {settings.baudrate} baud, frame {self.frame_id}")
        self.settings = settings
        self.driver = LidarDriver(settings, on_scan=self._on_revolution, on_event=self._on_event).start()

    def _on_event(self, state: str, message: str) -> None:
        logger = self.get_logger()
        if state == "error":
            logger.error(message)
        elif state == "absent":
            logger.warn(message)
        else:
            logger.info(message)

    def _on_revolution(self, rev: Revolution) -> None:
        fields = scan_fields(rev.angles, rev.distances, rev.qualities, rev.duration_s, inverted=self.inverted,
                             angle_compensate=self.angle_compensate, multiple=self.compensate_multiple)
        if fields is None:
            return
        msg = LaserScan()
        msg.header.stamp.sec = rev.start_ns // 1_000_000_000
        msg.header.stamp.nanosec = rev.start_ns % 1_000_000_000
        msg.header.frame_id = self.frame_id
        msg.angle_min = fields.angle_min
        msg.angle_max = fields.angle_max
        msg.angle_increment = fields.angle_increment
        msg.time_increment = fields.time_increment
        msg.scan_time = fields.scan_time
        msg.range_min = fields.range_min
        msg.range_max = fields.range_max
        msg.ranges = array.array("f", fields.ranges.tobytes())
        msg.intensities = array.array("f", fields.intensities.tobytes())
        self.scan_pub.publish(msg)

    def _stop_motor(self, _request: Empty.Request, response: Empty.Response) -> Empty.Response:
        self.get_logger().info("Stop motor")
        self.driver.stop()
        return response

    def _start_motor(self, _request: Empty.Request, response: Empty.Response) -> Empty.Response:
        self.get_logger().info("Start motor")
        if self.driver.status().state == "stopped":
            self.driver.start()
        return response

    def on_shutdown(self) -> None:
        self.driver.stop()


def main(args: list[str] | None = None) -> None:
    from node_host.host import run_nodes

    raise SystemExit(run_nodes([RplidarNode], args=args))


if __name__ == "__main__":
    main()
