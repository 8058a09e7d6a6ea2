"""One RPLidar revolution -> LaserScan fields, as Slamtec's rplidar_ros packs them."""

from __future__ import annotations

import math

import numpy as np

from perception.laser_scan import revolution_to_scan
from tests.perception.scans import RPLIDAR_ANGLE_MIN, RPLIDAR_INCREMENT


def test_angle_compensated_scan_layout_and_reversal() -> None:
    # device angles are clockwise: 10 deg -> ROS angle 180 - 10 = 170 deg -> index 349
    nodes = [(10.0, 1500.0, 20), (90.0, 250.0, 33), (200.5, 3000.0, 63), (300.0, 0.0, 0)]
    scan = revolution_to_scan(nodes, scan_time=0.1)
    assert scan is not None
    assert scan.angle_min == RPLIDAR_ANGLE_MIN and scan.angle_increment == RPLIDAR_INCREMENT
    assert scan.angle_max == float(np.float32(math.pi))
    assert len(scan.ranges) == 360 and len(scan.intensities) == 360
    assert scan.ranges[359 - 10] == float(np.float32(1.5)) and scan.intensities[349] == 20.0
    assert scan.ranges[359 - 90] == float(np.float32(0.25)) and scan.intensities[269] == 33.0
    assert scan.ranges[359 - 200] == float(np.float32(3.0))  # 200.5 deg falls in bin 200
    assert math.isinf(scan.ranges[359 - 300])  # distance 0 = no return
    assert sum(1 for r in scan.ranges if not math.isinf(r)) == 3
    assert scan.time_increment == float(np.float32(0.1 / 359)) and scan.scan_time == float(np.float32(0.1))
    assert (scan.range_min, scan.range_max) == (0.15, 12.0)


def test_inverted_mount_keeps_device_order() -> None:
    scan = revolution_to_scan([(10.0, 1500.0, 20)], scan_time=0.1, inverted=True)
    assert scan is not None and scan.ranges[10] == float(np.float32(1.5))


def test_measurements_in_the_same_bin_last_one_wins_and_multiple_bins() -> None:
    scan = revolution_to_scan([(45.2, 1000.0, 5), (45.7, 2000.0, 6)], scan_time=0.1)
    assert scan.ranges[359 - 45] == 2.0
    fine = revolution_to_scan([(45.7, 2000.0, 6)], scan_time=0.1, multiple=2)
    assert len(fine.ranges) == 720
    assert [i for i, r in enumerate(fine.ranges) if not math.isinf(r)] == [719 - 92, 719 - 91]


def test_without_compensation_the_valid_span_is_published() -> None:
    nodes = [(5.0, 0.0, 0), (10.0, 1000.0, 1), (20.0, 2000.0, 2), (30.0, 3000.0, 3), (40.0, 0.0, 0)]
    scan = revolution_to_scan(nodes, scan_time=0.1, angle_compensate=False)
    assert scan is not None and len(scan.ranges) == 3
    assert scan.ranges.tolist() == [3.0, 2.0, 1.0]  # reversed
    assert scan.angle_min == float(np.float32(math.pi - float(np.float32(30 * math.pi / 180))))
    assert scan.angle_max == float(np.float32(math.pi - float(np.float32(10 * math.pi / 180))))


def test_revolution_without_returns_publishes_nothing() -> None:
    assert revolution_to_scan([(1.0, 0.0, 0)], scan_time=0.1) is None
