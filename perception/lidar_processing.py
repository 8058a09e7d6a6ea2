"""LiDAR processing of the original sensor_fusion_node, reproduced to the last bit.

Per scan (`LaserScan` angle_min, angle_increment, ranges):

1. degree_i = float32(rad2deg(float32(angle_min + float32(angle_increment * i)))) (float32 sums,
   the degree conversion in double, as the C++ code does);
2. keep min_angle <= degree_i <= max_angle; range inf -> maxDist, else clamp(range, min_distance,
   maxDist), with maxDist = min(max_distance, clipping_distance);
3. when min_angle is not exactly one of the kept degrees, (min_angle, maxDist) is put in front and
   (max_angle, maxDist) at the end;
4. linear interpolation onto linspace(min_angle, max_angle, num_values) (float32 linspace, the blend
   computed in double and stored as float32) -> `lidar_data` in metres.

On each camera message, preprocess_type 1 (SECTOR) turns `lidar_data` into binary sectors: block =
int(len / num_sectors); a sector is 1.0 when any value of its block is < maxDist.

The overlay uses every point of the scan (no angle window), ranges clamped to the overlay's
[min_distance, max_distance], interpolated onto its own linspace; with 64 values and 8 overlay
sectors the display image gets 8 sector bits (value < overlay max_distance).

Where the original has undefined behaviour this module picks a defined answer (documented, tested):
a NaN range counts as "no return" like inf (maxDist; the overlay's max_distance); when min_angle is
among the kept degrees but max_angle lies beyond the last one, (max_angle, maxDist) is appended;
interpolation points outside the data get maxDist; a zero-width segment gives its left value instead
of NaN; a last partial sector block only looks at the values that exist.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence

import numpy as np

from perception.sensor_config import OverlayConfig, SensorConfiguration, rounded_lidar
from vehicle.lidar import LidarConfig, LidarPreprocess

F32 = np.float32


def scan_degrees(angle_min: float, angle_increment: float, count: int) -> np.ndarray:
    """float32 degrees of each range, computed exactly like RAD2DEG(angle_min + angle_increment * i)."""
    index = np.arange(count, dtype=np.float32)
    radians = F32(angle_min) + F32(angle_increment) * index  # float32 multiply, then float32 add
    return (radians.astype(np.float64) * 180.0 / math.pi).astype(np.float32)


def linspace_f32(start: float, end: float, num: float) -> np.ndarray:
    """The original's float linspace: start + delta * i for i < num - 1, then exactly `end`."""
    start32, end32, num32 = F32(start), F32(end), F32(num)
    if num32 == 0:
        return np.zeros(0, dtype=np.float32)
    if num32 == 1:
        return np.array([start32], dtype=np.float32)
    delta = F32((end32 - start32) / (num32 - F32(1)))
    steps = int(math.ceil(float(num32 - F32(1))))  # for (int i = 0; i < num - 1; ++i)
    values = start32 + delta * np.arange(steps, dtype=np.float32)
    return np.append(values.astype(np.float32), end32).astype(np.float32)


def interp_f32(x: np.ndarray, xp: Sequence[float] | np.ndarray, fp: Sequence[float] | np.ndarray,
               fill: float) -> np.ndarray:
    """The original's interp: walks segments [xp[k], xp[k+1]] in order, first match wins.

    percent = float32((x - xp[k]) / (xp[k+1] - xp[k])); value = float32(fp[k] * (1 - percent) +
    fp[k+1] * percent) with the blend in double. Points it cannot place get `fill`.
    """
    xs = np.asarray(x, dtype=np.float32)
    xpa = np.asarray(xp, dtype=np.float32)
    fpa = np.asarray(fp, dtype=np.float32)
    out = np.empty(len(xs), dtype=np.float32)
    k = 0
    j = 0
    n = len(xpa)
    while j < len(xs):
        if k + 1 >= n:
            out[j:] = F32(fill)
            break
        lo, hi, xj = xpa[k], xpa[k + 1], xs[j]
        if lo <= xj <= hi:
            width = F32(hi - lo)
            percent = F32(F32(xj - lo) / width) if width != 0 else F32(0.0)
            p = float(percent)
            out[j] = F32(float(fpa[k]) * (1.0 - p) + float(fpa[k + 1]) * p)
            j += 1
        else:
            k += 1
    return out


def window_scan(cfg: LidarConfig, angle_min: float, angle_increment: float,
                ranges: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Steps 1-3: the (degrees, ranges) points used for interpolation, padded as the original."""
    r = np.asarray(ranges, dtype=np.float32)
    degrees = scan_degrees(angle_min, angle_increment, len(r))
    min_angle, max_angle = F32(cfg.min_angle), F32(cfg.max_angle)
    max_dist = F32(cfg.max_lidar_dist)
    keep = (degrees >= min_angle) & (degrees <= max_angle)
    kept_deg = degrees[keep]
    kept = r[keep]
    no_return = ~np.isfinite(kept)  # std::isinf (either sign) -> maxDist; NaN treated the same
    with np.errstate(invalid="ignore"):
        clamped = np.minimum(np.maximum(kept, F32(cfg.min_distance)), max_dist)
    values = np.where(no_return, max_dist, clamped).astype(np.float32)
    if not np.any(kept_deg == min_angle):
        kept_deg = np.concatenate(([min_angle], kept_deg, [max_angle])).astype(np.float32)
        values = np.concatenate(([max_dist], values, [max_dist])).astype(np.float32)
    elif kept_deg[-1] < max_angle:  # undefined in the original (reads past the end)
        kept_deg = np.append(kept_deg, max_angle).astype(np.float32)
        values = np.append(values, max_dist).astype(np.float32)
    return kept_deg, values


def process_lidar(cfg: LidarConfig, angle_min: float, angle_increment: float,
                  ranges: Sequence[float] | np.ndarray) -> np.ndarray:
    """`lidar_data` before sector preprocessing: num_values distances in metres (float32)."""
    xp, fp = window_scan(cfg, angle_min, angle_increment, ranges)
    desired = linspace_f32(cfg.min_angle, cfg.max_angle, cfg.num_values)
    return interp_f32(desired, xp, fp, fill=cfg.max_lidar_dist)


def process_overlay(cfg: OverlayConfig, angle_min: float, angle_increment: float,
                    ranges: Sequence[float] | np.ndarray) -> np.ndarray:
    """The overlay vector: all points, ranges clamped to [min_distance, max_distance], interpolated."""
    r = np.asarray(ranges, dtype=np.float32)
    degrees = scan_degrees(angle_min, angle_increment, len(r))
    lo, hi = F32(cfg.min_distance), F32(cfg.max_distance)
    with np.errstate(invalid="ignore"):
        clamped = np.minimum(np.maximum(r, lo), hi)
    clamped = np.where(np.isnan(r), hi, clamped).astype(np.float32)
    desired = linspace_f32(cfg.min_angle, cfg.max_angle, cfg.num_values)
    return interp_f32(desired, degrees, clamped, fill=cfg.max_distance)


def binary_sectors(data: Sequence[float] | np.ndarray, block_size: int, max_dist: float) -> list[float]:
    """1.0 per block of `block_size` values when any value is < max_dist, else 0.0."""
    values = np.asarray(data, dtype=np.float32)
    if block_size <= 0:
        return []
    limit = F32(max_dist)
    return [1.0 if bool(np.any(values[i:i + block_size] < limit)) else 0.0
            for i in range(0, len(values), block_size)]


def sector_block_size(length: int, num_sectors: float) -> int:
    """size_t(length / num_sectors) with the float division of the original."""
    if num_sectors <= 0:
        return 0
    return int(F32(length) / F32(num_sectors))


def lidar_message_data(cfg: LidarConfig, lidar_data: np.ndarray) -> list[float]:
    """What goes into EvoSensorMsg.lidar_data for the current configuration."""
    if cfg.preprocess_type == LidarPreprocess.SECTORS:
        block = sector_block_size(len(lidar_data), cfg.num_sectors)
        return binary_sectors(lidar_data, block, cfg.max_lidar_dist)
    return [float(v) for v in lidar_data]


def overlay_sector_bits(cfg: OverlayConfig, overlay_data: np.ndarray) -> int:
    """The overlay's 8 sector bits (bit i = sector i occupied); 0 unless blocks are 8 values long."""
    block = sector_block_size(len(overlay_data), cfg.lidar_overlay_num_sectors)
    if block != 8:
        return 0
    bits = 0
    for index, value in enumerate(binary_sectors(overlay_data, block, cfg.max_distance)[:8]):
        if value:
            bits |= 1 << index
    return bits


class LidarProcessor:
    """Thread-safe state of the node: configuration + the latest processed scan."""

    def __init__(self, config: SensorConfiguration | None = None) -> None:
        self._lock = threading.Lock()
        self._config = config or SensorConfiguration()
        self._lidar = np.zeros(0, dtype=np.float32)
        self._overlay = np.zeros(0, dtype=np.float32)

    @property
    def config(self) -> SensorConfiguration:
        with self._lock:
            return self._config

    def set_lidar_config(self, cfg: LidarConfig) -> None:
        with self._lock:
            self._config = SensorConfiguration(rounded_lidar(cfg), self._config.overlay)

    def on_scan(self, angle_min: float, angle_increment: float, ranges: Sequence[float] | np.ndarray) -> None:
        cfg = self.config
        lidar = process_lidar(cfg.lidar, angle_min, angle_increment, ranges)
        overlay = process_overlay(cfg.overlay, angle_min, angle_increment, ranges)
        with self._lock:
            self._lidar, self._overlay = lidar, overlay

    def lidar_data(self) -> list[float]:
        with self._lock:
            cfg, data = self._config.lidar, self._lidar
        return lidar_message_data(cfg, data)

    def overlay_bits(self) -> int:
        with self._lock:
            cfg, data = self._config.overlay, self._overlay
        return overlay_sector_bits(cfg, data)
