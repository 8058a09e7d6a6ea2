"""The original sensor_fusion LiDAR processing against hand-computed values.

Layout: 360 ranges 1 degree apart from -179 degrees (what rplidarNode publishes). Default config:
window -60..60, min_distance 0.15, maxDist = min(max_distance 1, clipping 1) = 1, 64 values at
linspace(-60, 60, 64) = -60 + k * 120/63.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from perception.lidar_processing import (
    binary_sectors,
    interp_f32,
    lidar_message_data,
    linspace_f32,
    process_lidar,
    scan_degrees,
    sector_block_size,
    window_scan,
)
from perception.sensor_config import LidarConfig
from tests.perception.scans import RPLIDAR_ANGLE_MIN, RPLIDAR_INCREMENT, index_of, ranges_by_degree

CFG = LidarConfig()


def run(ranges: np.ndarray, cfg: LidarConfig = CFG) -> np.ndarray:
    return process_lidar(cfg, RPLIDAR_ANGLE_MIN, RPLIDAR_INCREMENT, ranges)


def test_degrees_of_the_rplidar_layout() -> None:
    degrees = scan_degrees(RPLIDAR_ANGLE_MIN, RPLIDAR_INCREMENT, 360)
    assert degrees[0] == np.float32(-178.99998)
    assert degrees[index_of(-60)] == np.float32(-59.99999)  # float32 noise: -60 itself is not a sample
    assert degrees[index_of(60)] == 60.0  # exactly
    assert degrees[index_of(61)] > 60.0


def test_linspace_is_the_float32_one() -> None:
    xs = linspace_f32(-60, 60, 64)
    assert len(xs) == 64 and xs[0] == -60.0 and xs[-1] == 60.0
    assert xs[1] == np.float32(-60) + np.float32(np.float32(120) / np.float32(63))
    assert list(linspace_f32(5, 9, 1)) == [5.0] and len(linspace_f32(5, 9, 0)) == 0
    assert list(linspace_f32(0, 1, 3)) == [0.0, 0.5, 1.0]


def test_no_returns_give_max_distance_everywhere() -> None:
    assert run(ranges_by_degree({})).tolist() == [1.0] * 64


def test_ranges_are_clipped_to_min_distance_and_max_distance() -> None:
    out = run(ranges_by_degree({range(-60, 61): 0.05}))
    assert out[0] == 1.0  # the added lower edge point (see test_window_edges)
    assert out[1:].tolist() == [np.float32(0.15)] * 63
    out = run(ranges_by_degree({range(-60, 61): 7.5}))
    assert out.tolist() == [1.0] * 64
    # clipping_distance below max_distance sets maxDist
    clipped = LidarConfig(max_distance=2.0, clipping_distance=0.5)
    assert run(ranges_by_degree({range(-60, 61): 0.9}), clipped).tolist() == [0.5] * 64
    assert run(ranges_by_degree({range(-60, 61): 0.3}), clipped)[1:].tolist() == [np.float32(0.3)] * 63


def test_window_edges() -> None:
    # just outside the window on both sides: ignored
    assert run(ranges_by_degree({-61: 0.3, 61: 0.3})).tolist() == [1.0] * 64
    # -60 is not a sample, so (-60, maxDist) and (60, maxDist) are added: the first value is maxDist
    # even with an obstacle at -59.99999 degrees (the original's behaviour)
    assert run(ranges_by_degree({-60: 0.3})).tolist() == [1.0] * 64
    # the upper edge is the sample at exactly 60 degrees: the first segment ending there wins
    out = run(ranges_by_degree({60: 0.3}))
    assert out[-1] == np.float32(0.3)
    assert out[:-1].tolist() == [1.0] * 63
    out = run(ranges_by_degree({range(-60, 61): 0.4}))
    assert out[0] == 1.0
    assert out[1:].tolist() == [np.float32(0.4)] * 63


def test_lower_edge_on_a_sample_and_upper_edge_beyond_the_last_sample() -> None:
    # undefined in the original (it reads past the end): here the upper edge gets maxDist
    lower = float(scan_degrees(RPLIDAR_ANGLE_MIN, RPLIDAR_INCREMENT, 360)[index_of(-60)])
    cfg = LidarConfig(min_angle=lower, max_angle=59.5)
    out = run(ranges_by_degree({range(-60, 61): 0.4}), cfg)
    assert out[:-1].tolist() == [np.float32(0.4)] * 63
    assert out[-1] == 1.0


def test_lower_edge_not_a_sample_pads_both_ends_with_max_distance() -> None:
    cfg = LidarConfig(min_angle=-59.5, max_angle=59.5)
    out = run(ranges_by_degree({range(-60, 61): 0.4}), cfg)
    assert out[0] == 1.0 and out[-1] == 1.0  # padded points at -59.5 and 59.5
    assert out[1:-1].tolist() == [np.float32(0.4)] * 62


def test_interpolation_between_two_plateaus() -> None:
    out = run(ranges_by_degree({range(-60, 0): 0.4, range(0, 61): 0.8}))
    xs = linspace_f32(-60, 60, 64)
    assert xs[31] == pytest.approx(-0.952381, abs=1e-5) and xs[32] == pytest.approx(0.952381, abs=1e-5)
    assert out[0] == 1.0
    assert out[1:31].tolist() == [np.float32(0.4)] * 30
    # x = -0.952 lies between -1 deg (0.4) and ~0 deg (0.8): 0.4 + 0.4 * 0.047619
    assert out[31] == pytest.approx(0.4 + 0.4 * (1 - 0.952381), abs=2e-5)
    assert out[32:63].tolist() == [np.float32(0.8)] * 31


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_non_finite_ranges_count_as_no_return(bad: float) -> None:
    out = run(ranges_by_degree({range(-60, 61): 0.5, range(-30, 31): bad}))
    xs = linspace_f32(-60, 60, 64)
    far = (xs > -29) & (xs < 29)
    assert out[far].tolist() == [1.0] * int(far.sum())
    near = (xs > -59) & (xs < -31)
    assert out[near].tolist() == [0.5] * int(near.sum())


def test_sectors_from_an_obstacle() -> None:
    cfg = LidarConfig(preprocess_type=1, num_sectors=8)
    data = run(ranges_by_degree({range(20, 26): 0.5}), cfg)
    # linspace points 42..45 (20.0 .. 25.7 deg) see the obstacle -> sector 5 (points 40..47)
    assert [k for k, v in enumerate(data) if v < 1.0] == [42, 43, 44, 45]
    assert lidar_message_data(cfg, data) == [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    assert lidar_message_data(cfg, run(ranges_by_degree({}), cfg)) == [0.0] * 8
    # default preprocessing: the distances themselves
    assert lidar_message_data(CFG, data) == [float(v) for v in data]


def test_sector_thresholds_and_blocks() -> None:
    assert binary_sectors([1.0, 1.0, 0.99, 1.0], 2, 1.0) == [0.0, 1.0]
    assert binary_sectors([1.0, 1.0], 1, 1.0) == [0.0, 0.0]  # equal to maxDist is free
    assert sector_block_size(64, 8) == 8 and sector_block_size(64, 64) == 1
    # 64 values in 10 sectors: blocks of 6 -> 11 sectors as the original (last block has 4 values)
    assert sector_block_size(64, 10) == 6
    values = [1.0] * 60 + [1.0, 1.0, 1.0, 0.2]
    assert binary_sectors(values, 6, 1.0) == [0.0] * 10 + [1.0]
    assert binary_sectors([], sector_block_size(0, 8), 1.0) == []  # before the first scan
    assert sector_block_size(64, 0) == 0


def test_degenerate_window_has_no_nan() -> None:
    cfg = LidarConfig(min_angle=10.0, max_angle=10.0, num_values=3)
    assert run(ranges_by_degree({10: 0.5}), cfg).tolist() == [1.0, 1.0, 1.0]


def test_interp_keeps_the_first_matching_segment_and_fills_outside() -> None:
    xs = np.array([0.0, 1.0, 2.0, 3.0], np.float32)
    assert interp_f32(xs, [0.0, 1.0, 1.0, 2.0], [5.0, 6.0, 7.0, 8.0], fill=9.0).tolist() == [5.0, 6.0, 8.0, 9.0]
    assert interp_f32(np.array([-1.0], np.float32), [0.0, 1.0], [1.0, 2.0], fill=9.0).tolist() == [9.0]


def _reference(cfg: LidarConfig, angle_min: float, inc: float, ranges: np.ndarray) -> list[float]:
    """Statement-by-statement transcription of the C++ lidarCB with numpy float32 scalars."""
    f = np.float32
    degrees, values = [], []
    max_dist = f(min(f(cfg.max_distance), f(cfg.clipping_distance)))
    for i, r in enumerate(ranges):
        degree = f(float(f(f(angle_min) + f(inc) * f(i))) * 180.0 / math.pi)
        if f(cfg.min_angle) <= degree <= f(cfg.max_angle):
            values.append(max_dist if math.isinf(r) else min(max(f(r), f(cfg.min_distance)), max_dist))
            degrees.append(degree)
    if f(cfg.min_angle) not in degrees:
        degrees = [f(cfg.min_angle), *degrees, f(cfg.max_angle)]
        values = [max_dist, *values, max_dist]
    num = f(cfg.num_values)
    delta = f((f(cfg.max_angle) - f(cfg.min_angle)) / (num - f(1)))
    xs = [f(f(cfg.min_angle) + delta * f(i)) for i in range(int(num) - 1)] + [f(cfg.max_angle)]
    out, k, j = [], 0, 0
    while j < len(xs):
        if degrees[k] <= xs[j] <= degrees[k + 1]:
            p = f(f(xs[j] - degrees[k]) / f(degrees[k + 1] - degrees[k]))
            out.append(float(f(float(values[k]) * (1.0 - float(p)) + float(values[k + 1]) * float(p))))
            j += 1
        else:
            k += 1
    return out


def test_bit_exact_against_a_transcription_of_the_original() -> None:
    rng = np.random.default_rng(7)
    ranges = rng.uniform(0.05, 3.0, 360).astype(np.float32)
    ranges[rng.integers(0, 360, 40)] = np.inf
    cfg = LidarConfig(min_angle=-59.5, max_angle=75.25, num_values=50, max_distance=1.7, clipping_distance=2.5)
    assert run(ranges, cfg).tolist() == _reference(cfg, RPLIDAR_ANGLE_MIN, RPLIDAR_INCREMENT, ranges)
    # a layout with other float noise: 0.5 degree steps from -90 degrees
    angle_min, inc = -math.pi / 2, math.radians(0.5)
    ranges2 = rng.uniform(0.1, 1.5, 361).astype(np.float32)
    cfg2 = LidarConfig(min_angle=-44.8, max_angle=44.8, num_values=64)
    assert process_lidar(cfg2, angle_min, inc, ranges2).tolist() == _reference(cfg2, angle_min, inc, ranges2)


def test_window_scan_points() -> None:
    degrees, values = window_scan(CFG, RPLIDAR_ANGLE_MIN, RPLIDAR_INCREMENT, ranges_by_degree({0: 0.5}))
    assert len(degrees) == 123  # 121 samples (-59.99999 .. 60) + the two added edge points
    assert (degrees[0], degrees[1], degrees[-2], degrees[-1]) == (-60.0, np.float32(-59.99999), 60.0, 60.0)
    assert values[0] == values[-1] == 1.0
    assert values[1 + index_of(0) - index_of(-60)] == np.float32(0.5)
