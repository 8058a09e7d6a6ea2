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
    ranges: np.ndarray       # float32
    intensities: np.ndarray  # float32


def _f32(value: float) -> float:
    return float(np.float32(value))


def ranges_m(distances_mm: np.ndarray) -> np.ndarray:
    """float32 metres from the device's q2 distances (mm * 4), as the C++ node divides them; 0 -> +inf."""
    q2 = np.round(np.asarray(distances_mm, dtype=np.float64) * 4.0).astype(np.float32)
    with np.errstate(divide="ignore"):
        metres = (q2 / np.float32(4.0)).astype(np.float32) / np.float32(1000.0)
    return np.where(q2 == 0, np.float32(np.inf), metres).astype(np.float32)


def revolution_to_scan(nodes: Sequence[tuple[float, float, int]], scan_time: float, *,
                       inverted: bool = False, angle_compensate: bool = True, multiple: int = 1,
                       range_min: float = RANGE_MIN, range_max: float = RANGE_MAX) -> ScanFields | None:
    """LaserScan fields for one revolution given as (angle_deg, distance_mm, quality) tuples."""
    table = np.asarray(nodes, dtype=np.float64).reshape(-1, 3)
    return scan_fields(table[:, 0], table[:, 1], table[:, 2], scan_time, inverted=inverted,
                       angle_compensate=angle_compensate, multiple=multiple, range_min=range_min,
                       range_max=range_max)


def scan_fields(angles_deg: np.ndarray, distances_mm: np.ndarray, qualities: np.ndarray, scan_time: float, *,
                inverted: bool = False, angle_compensate: bool = True, multiple: int = 1,
                range_min: float = RANGE_MIN, range_max: float = RANGE_MAX) -> ScanFields | None:
    """LaserScan fields for one revolution (arrays in device order), or None when it has no valid measurement."""
    order = np.argsort(angles_deg, kind="stable")
    angles = np.asarray(angles_deg, dtype=np.float64)[order]
    distances = np.asarray(distances_mm, dtype=np.float64)[order]
    quality = np.asarray(qualities, dtype=np.float32)[order]
    valid = np.flatnonzero(distances > 0)
    if not len(valid):
        return None
    if angle_compensate:
        multiple = max(1, int(multiple))
        count = 360 * multiple
        # each valid measurement fills `multiple` consecutive bins from int(angle * multiple); where
        # bins overlap the later measurement (in angle order) wins
        first_bin = (angles[valid] * multiple).astype(np.int64)
        winner = np.full(count, -1, dtype=np.int64)
        for j in range(multiple):
            np.maximum.at(winner, np.minimum(first_bin + j, count - 1), valid)
        filled = winner >= 0
        chosen_d = np.zeros(count)
        chosen_q = np.zeros(count, dtype=np.float32)
        chosen_d[filled] = distances[winner[filled]]
        chosen_q[filled] = quality[winner[filled]]
        device_min, device_max = _f32(0.0), _f32(359.0 * math.pi / 180.0)
    else:
        first, last = int(valid[0]), int(valid[-1])
        chosen_d, chosen_q = distances[first:last + 1], quality[first:last + 1]
        count = len(chosen_d)
        device_min = _f32(_f32(angles[first]) * math.pi / 180.0)
        device_max = _f32(_f32(angles[last]) * math.pi / 180.0)
    # float fields as Slamtec's publish_scan computes them: M_PI - float angle (double, stored as float)
    reversed_angles = device_max > device_min
    if reversed_angles:
        angle_min, angle_max = _f32(math.pi - device_max), _f32(math.pi - device_min)
    else:
        angle_min, angle_max = _f32(math.pi - device_min), _f32(math.pi - device_max)
    steps = max(1, count - 1)
    increment = _f32(float(np.float32(angle_max) - np.float32(angle_min)) / steps)  # float difference / double
    ranges = ranges_m(chosen_d)
    intensities = np.asarray(chosen_q, dtype=np.float32)
    reverse_data = (not inverted and reversed_angles) or (inverted and not reversed_angles)
    if reverse_data:
        ranges, intensities = ranges[::-1], intensities[::-1]
    return ScanFields(angle_min=angle_min, angle_max=angle_max, angle_increment=increment,
                      time_increment=_f32(scan_time / steps), scan_time=_f32(scan_time), range_min=range_min,
                      range_max=range_max, ranges=np.ascontiguousarray(ranges),
                      intensities=np.ascontiguousarray(intensities))
