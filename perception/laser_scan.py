"""From one RPLidar revolution to the fields of a sensor_msgs/LaserScan, as Slamtec's rplidar_ros does.

Input: measurements (angle_deg clockwise in the device frame, distance_mm with 0 = no return,
quality 0..63) of one revolution. Steps:

- measurements are sorted by angle;
- angle_compensate (the launch default): 360 * multiple bins, bin = int(angle * multiple); each valid
  measurement fills `multiple` consecutive bins (later ones win), empty bins have no return; the scan
  spans device angles 0..359 degrees;
- otherwise the measurements between the first and the last valid one are used as they are;
- published angles are counter-clockwise with 0 at the device's 180 degrees: angle_min = pi -
  max_device_angle, angle_max = pi - min_device_angle, and the ranges are reversed (unless `inverted`);
- range = distance_mm / 4 / 1000 in float32 arithmetic (from the q2 value), 0 -> +inf; intensity =
  quality; time_increment = scan_time / (count - 1); range_min 0.15 m, range_max 12 m;
- angles are float32 as in the C++ node (the device angles are floats, the message fields too).
Bins use the float angle of the measurement (q6 / 64 degrees); Slamtec's SDK first converts legacy
q6 angles to q14 with an integer division, which can move a measurement to the previous bin.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RANGE_MIN = 0.15
RANGE_MAX = 12.0


@dataclass(frozen=True)
class ScanFields:
    angle_min: float
    angle_max: float
    angle_increment: float
    time_increment: float
    scan_time: float
    range_min: float
    range_max: float
    ranges: list[float]
    intensities: list[float]


def _f32(value: float) -> float:
    return float(np.float32(value))


def _range_m(distance_mm: float) -> float:
    q2 = np.float32(round(distance_mm * 4.0))
    if q2 == 0:
        return math.inf
    return float(np.float32(np.float32(q2 / np.float32(4.0)) / np.float32(1000.0)))


def revolution_to_scan(nodes: Sequence[tuple[float, float, int]], scan_time: float, *,
                       inverted: bool = False, angle_compensate: bool = True, multiple: int = 1,
                       range_min: float = RANGE_MIN, range_max: float = RANGE_MAX) -> ScanFields | None:
    """LaserScan fields for one revolution, or None when it has no valid measurement."""
    ordered = sorted(nodes, key=lambda n: n[0])
    if not any(d > 0 for _, d, _ in ordered):
        return None
    if angle_compensate:
        multiple = max(1, int(multiple))
        count = 360 * multiple
        bins: list[tuple[float, float, int]] = [(0.0, 0.0, 0)] * count
        offset = 0
        for node in ordered:
            if node[1] <= 0:
                continue
            value = int(node[0] * multiple)
            if value - offset < 0:
                offset = value
            for j in range(multiple):
                index = min(value - offset + j, count - 1)
                bins[index] = node
        chosen = bins
        device_min, device_max = _f32(0.0), _f32(359.0 * math.pi / 180.0)
    else:
        first = next(i for i, n in enumerate(ordered) if n[1] > 0)
        last = max(i for i, n in enumerate(ordered) if n[1] > 0)
        chosen = ordered[first:last + 1]
        count = len(chosen)
        device_min = _f32(_f32(chosen[0][0]) * math.pi / 180.0)
        device_max = _f32(_f32(chosen[-1][0]) * math.pi / 180.0)
    # float fields as Slamtec's publish_scan computes them: M_PI - float angle (double, stored as float)
    reversed_angles = device_max > device_min
    if reversed_angles:
        angle_min, angle_max = _f32(math.pi - device_max), _f32(math.pi - device_min)
    else:
        angle_min, angle_max = _f32(math.pi - device_min), _f32(math.pi - device_max)
    steps = max(1, count - 1)
    increment = _f32(float(np.float32(angle_max) - np.float32(angle_min)) / steps)  # float difference / double
    ranges = [_range_m(d) for _, d, _ in chosen]
    intensities = [float(q) for _, _, q in chosen]
    reverse_data = (not inverted and reversed_angles) or (inverted and not reversed_angles)
    if reverse_data:
        ranges.reverse()
        intensities.reverse()
    return ScanFields(angle_min=angle_min, angle_max=angle_max, angle_increment=increment,
                      time_increment=_f32(scan_time / steps), scan_time=_f32(scan_time), range_min=range_min,
                      range_max=range_max, ranges=ranges, intensities=intensities)
