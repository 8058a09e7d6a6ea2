"""sensor_configuration.json: the LiDAR processing and overlay settings of sensor_fusion_node.

File `/opt/aws/deepracer/sensor_configuration.json` (`runtime.paths.sensor_configuration_file()`), read
at start and written with the defaults when absent, as the original node does:

    {"lidar": {"clipping_distance": 1.0, "max_angle": 60.0, "max_distance": 1.0, "min_angle": -60.0,
               "min_distance": 0.15, "num_sectors": 64.0, "num_values": 64.0, "preprocess_type": 0.0},
     "lidar_overlay": {"lidar_overlay_alpha": 0.8, "lidar_overlay_line_width": 1.0,
                       "lidar_overlay_num_sectors": 8.0, "max_angle": 150.0, "max_distance": 0.5,
                       "min_angle": -150.0, "min_distance": 0.15, "num_sectors": 8.0, "num_values": 64.0}}

The original keeps every value as a C++ float (float32), including the counts; so does this module
(values are rounded to float32 on the way in), so the processing is bit-for-bit the same.

Differences from the original, on input the original mishandles: a file with a missing key, a
non-number or values that fail the configure_lidar rules is reported and the defaults are used (the
original also falls back to defaults on a missing key, but accepted bad values); SECTOR processing
requires 1 <= num_sectors <= num_values (the original divides by zero or loops forever otherwise).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

log = logging.getLogger("perception.sensor_config")

LIDAR_KEY = "lidar"
LIDAR_OVERLAY_KEY = "lidar_overlay"
PREPROCESS_DEFAULT = 0  # distances, interpolated to num_values
PREPROCESS_SECTOR = 1  # binary sectors
PREPROCESS_TYPES = (PREPROCESS_DEFAULT, PREPROCESS_SECTOR)


def f32(value: float) -> float:
    """`value` rounded to the nearest float32, as a Python float."""
    return float(np.float32(value))


@dataclass(frozen=True)
class LidarConfig:
    min_angle: float = -60.0
    max_angle: float = 60.0
    min_distance: float = f32(0.15)
    max_distance: float = 1.0
    clipping_distance: float = 1.0
    num_values: float = 64.0
    num_sectors: float = 64.0
    preprocess_type: float = 0.0

    @property
    def max_lidar_dist(self) -> float:
        """The original's maxLiDARDist_: min(max_distance, clipping_distance)."""
        return min(self.max_distance, self.clipping_distance)

    def rounded(self) -> LidarConfig:
        return LidarConfig(**{k: f32(v) for k, v in asdict(self).items()})


@dataclass(frozen=True)
class OverlayConfig:
    min_angle: float = -150.0
    max_angle: float = 150.0
    min_distance: float = f32(0.15)
    max_distance: float = 0.5
    num_values: float = 64.0
    num_sectors: float = 8.0
    lidar_overlay_alpha: float = f32(0.8)
    lidar_overlay_line_width: float = 1.0
    lidar_overlay_num_sectors: float = 8.0

    def rounded(self) -> OverlayConfig:
        return OverlayConfig(**{k: f32(v) for k, v in asdict(self).items()})


@dataclass(frozen=True)
class SensorConfiguration:
    lidar: LidarConfig = LidarConfig()
    overlay: OverlayConfig = OverlayConfig()

    def to_json(self) -> dict[str, dict[str, float]]:
        def clean(values: dict[str, float]) -> dict[str, float]:
            # float32 values written with the shortest text that reads back to the same float32
            return {k: float(np.format_float_positional(np.float32(v), unique=True, trim="0"))
                    for k, v in sorted(values.items())}

        return {LIDAR_KEY: clean(asdict(self.lidar)), LIDAR_OVERLAY_KEY: clean(asdict(self.overlay))}


class ConfigError(ValueError):
    """A LiDAR configuration the node must not use; the message says why."""


def lidar_config_problem(cfg: LidarConfig) -> str | None:
    """The configure_lidar validation of the original, plus the sector guard; None when valid."""
    if cfg.min_angle > cfg.max_angle:
        return f"min_angle {cfg.min_angle:g} is greater than max_angle {cfg.max_angle:g}"
    if cfg.min_distance > cfg.max_distance:
        return f"min_distance {cfg.min_distance:g} is greater than max_distance {cfg.max_distance:g}"
    if cfg.min_distance > cfg.clipping_distance:
        return f"min_distance {cfg.min_distance:g} is greater than clipping_distance {cfg.clipping_distance:g}"
    if cfg.num_values < 1:
        return f"num_values must be at least 1, not {cfg.num_values:g}"
    if cfg.preprocess_type not in PREPROCESS_TYPES:
        return f"preprocess_type must be 0 (default) or 1 (sector), not {cfg.preprocess_type:g}"
    if cfg.preprocess_type == PREPROCESS_SECTOR and not 1 <= cfg.num_sectors <= cfg.num_values:
        return f"num_sectors must be between 1 and num_values ({cfg.num_values:g}) for sector " \
               f"preprocessing, not {cfg.num_sectors:g}"
    return None


def _file_problem(config: SensorConfiguration) -> str | None:
    lidar, overlay = config.lidar, config.overlay
    for name in ("num_values", "num_sectors", "preprocess_type"):
        value = getattr(lidar, name)
        if value != int(value):
            return f"lidar.{name} must be a whole number, not {value:g}"
    problem = lidar_config_problem(lidar)
    if problem:
        return "lidar: " + problem
    for name in ("num_values", "num_sectors", "lidar_overlay_num_sectors", "lidar_overlay_line_width"):
        value = getattr(overlay, name)
        if value != int(value) or value < 1:
            return f"lidar_overlay.{name} must be a whole number >= 1, not {value:g}"
    if overlay.min_angle > overlay.max_angle or overlay.min_distance > overlay.max_distance:
        return "lidar_overlay: min_angle/min_distance must not exceed max_angle/max_distance"
    if not 0.0 <= overlay.lidar_overlay_alpha <= 1.0:
        return f"lidar_overlay.lidar_overlay_alpha must be within 0..1, not {overlay.lidar_overlay_alpha:g}"
    return None


def parse_sensor_configuration(data: object) -> SensorConfiguration:
    """A SensorConfiguration from decoded JSON; raises ConfigError with a clear message."""
    if not isinstance(data, dict) or LIDAR_KEY not in data or LIDAR_OVERLAY_KEY not in data:
        raise ConfigError(f"expected an object with {LIDAR_KEY!r} and {LIDAR_OVERLAY_KEY!r}")
    sections = []
    for key, cls in ((LIDAR_KEY, LidarConfig), (LIDAR_OVERLAY_KEY, OverlayConfig)):
        section = data[key]
        if not isinstance(section, dict):
            raise ConfigError(f"{key!r} must be an object")
        values: dict[str, float] = {}
        for name in cls.__dataclass_fields__:
            if name not in section:
                raise ConfigError(f"{key}.{name} is missing")
            value = section[name]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
                raise ConfigError(f"{key}.{name} must be a number, not {value!r}")
            values[name] = f32(value)
        sections.append(cls(**values))
    config = SensorConfiguration(sections[0], sections[1])  # type: ignore[arg-type]
    problem = _file_problem(config)
    if problem:
        raise ConfigError(problem)
    return config


def load_sensor_configuration(path: str | os.PathLike[str] | None = None) -> tuple[SensorConfiguration, str | None]:
    """Read the file (writing the defaults when it is absent). Returns (config, problem or None).

    A broken file is left untouched for the user to fix; the defaults are used meanwhile.
    """
    from runtime.atomic import atomic_write_json
    from runtime.paths import sensor_configuration_file

    target = Path(path) if path is not None else sensor_configuration_file()
    defaults = SensorConfiguration()
    if not target.exists():
        try:
            atomic_write_json(target, defaults.to_json())
        except OSError as exc:
            return defaults, f"cannot write the default {target}: {exc}"
        return defaults, None
    try:
        data = json.loads(target.read_text())
    except (OSError, ValueError) as exc:
        return defaults, f"cannot read {target}: {exc}; using the defaults"
    try:
        return parse_sensor_configuration(data), None
    except ConfigError as exc:
        return defaults, f"{target}: {exc}; using the defaults"


def lidar_config_from_request(min_angle: float, max_angle: float, num_values: int, min_distance: float,
                              max_distance: float, clipping_distance: float, num_sectors: int,
                              preprocess_type: int) -> LidarConfig:
    """A LidarConfig from configure_lidar fields (float32 rounding as the original's map of floats)."""
    return replace(LidarConfig(), min_angle=f32(min_angle), max_angle=f32(max_angle),
                   num_values=f32(num_values), min_distance=f32(min_distance),
                   max_distance=f32(max_distance), clipping_distance=f32(clipping_distance),
                   num_sectors=f32(num_sectors), preprocess_type=f32(preprocess_type))
