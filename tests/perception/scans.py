"""LaserScan layouts for processing tests."""

from __future__ import annotations

import math

import numpy as np

# The layout rplidarNode publishes with angle_compensate (360 bins): angle_min = pi - rad(359),
# angle_max = pi, 1 degree apart; index i is at -179 + i degrees.
RPLIDAR_ANGLE_MIN = float(np.float32(math.pi - float(np.float32(359.0 * math.pi / 180.0))))
RPLIDAR_INCREMENT = float(np.float32(float(np.float32(math.pi) - np.float32(RPLIDAR_ANGLE_MIN)) / 359))


def index_of(degree: int) -> int:
    """Index of the range at `degree` (-179..180) in the rplidar layout."""
    return degree + 179


def ranges_by_degree(values: dict[range | int, float], default: float = math.inf) -> np.ndarray:
    ranges = np.full(360, default, dtype=np.float32)
    for key, value in values.items():
        for degree in ([key] if isinstance(key, int) else key):
            ranges[index_of(degree)] = value
    return ranges
