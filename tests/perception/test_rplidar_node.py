"""rplidarNode: no LiDAR -> says so and idles; hot-plugged pty RPLidar -> LaserScans; motor stopped at exit."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
from sensor_msgs.msg import LaserScan

from sim.rplidar_device import RplidarDevice
from tests.perception.scans import RPLIDAR_ANGLE_MIN, RPLIDAR_INCREMENT
from tests.support.ros import wait_until

pytestmark = pytest.mark.ros


def _room() -> list[tuple[float, float, int]]:
    # 1 m all around, an object 0.4 m away at device angles 170..190 (behind the car: ROS angle ~0)
    return [(float(a), 400.0 if 170 <= a <= 190 else 1000.0, 40) for a in range(360)]


def test_absent_then_hot_plugged_then_motor_stopped_on_shutdown(tmp_path: Path, start_node, ros_node) -> None:
    port = tmp_path / "dev" / "ttyUSB0"
    port.parent.mkdir()
    node = start_node("rplidar_ros.rplidar_node",
                      ros_args=["-p", f"serial_port:={port}", "-p", "retry_interval:=0.1",
                                "-p", "read_timeout:=0.3", "-p", "watchdog_timeout:=0.6"])
    scans = ros_node.collect(LaserScan, "/rplidar_ros/scan", 10)
    wait_until(lambda: f"No LiDAR at {port}" in node.log_text(), 20, "no-LiDAR report")
    assert node.proc.poll() is None and scans == []

    device = RplidarDevice(_room, scan_hz=20)
    try:
        os.symlink(device.port, port)
        wait_until(lambda: len(scans) >= 3, 20, "scans from the hot-plugged LiDAR")
        scan = scans[-1]
        assert scan.header.frame_id == "laser"
        assert abs(scan.angle_min - RPLIDAR_ANGLE_MIN) < 1e-7 and abs(scan.angle_increment - RPLIDAR_INCREMENT) < 1e-9
        ranges = np.array(scan.ranges)
        assert len(ranges) == 360
        # ROS angle = 180 - device angle: the object at device 170..190 is at ROS -10..10 (indices 169..189)
        assert np.allclose(ranges[169:190], 0.4) and np.allclose(ranges[:169], 1.0)
        assert list(scan.intensities[:3]) == [40.0, 40.0, 40.0]
        assert scan.scan_time > 0 and math.isclose(scan.range_min, 0.15, rel_tol=1e-6)
        assert "scanning" in node.log_text()
        assert device.motor_pwm == 660
        assert node.stop() == 0
        assert device.motor_pwm == 0 and not device.scanning
        assert device.command_names()[-2:] == ["STOP", "SET_MOTOR_PWM"]
    finally:
        device.close()
