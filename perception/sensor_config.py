"""sensor_configuration.json: the LiDAR processing and overlay settings of sensor_fusion_node.

File `/opt/aws/deepracer/sensor_configuration.json` (`runtime.paths.sensor_configuration_file()`), read
at start and written with the defaults when absent, as the original node does:

    {"lidar": {"clipping_distance": 1.0, "max_angle": 60.0, "max_distance": 1.0, "min_angle": -60.0,
               "min_distance": 0.15, "num_sectors": 64.0, "num_values": 64.0, "preprocess_type": 0.0},
     "lidar_overlay": {"lidar_overlay_alpha": 0.8, "lidar_overlay_line_width": 1.0,
                       "lidar_overlay_num_sectors": 8.0, "max_angle": 150.0, "max_distance": 0.5,
                       "min_angle": -150.0, "min_distance": 0.15, "num_sectors": 8.0, "num_values": 64.0}}

The original keeps every value as a C++ float (float32), including the counts; this module rounds the
values to float32 on the way in (the counts are whole numbers, exact in float32), so the processing is
bit-for-bit the same. The LiDAR section is the vehicle contract's `LidarConfig` (`vehicle.lidar`),
whose defaults are this file's; the overlay section is the sensor fusion node's own.

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

from vehicle.lidar import LIDAR_CONFIG_KEYS, LidarConfig, lidar_config_problem

log = logging.getLogger("perception.sensor_config")

LIDAR_KEY = "lidar"
LIDAR_OVERLAY_KEY = "lidar_overlay"


def f32(value: float) -> float:
    """`value` rounded to the nearest float32, as a Python float."""
    return float(np.float32(value))


def rounded_lidar(cfg: LidarConfig) -> LidarConfig:
    """`cfg` with its distances and angles rounded to float32, as the original holds them."""
    return replace(cfg, min_angle=f32(cfg.min_angle), max_angle=f32(cfg.max_angle), min_distance=f32(cfg.min_distance),
                   max_distance=f32(cfg.max_distance), clipping_distance=f32(cfg.clipping_distance))


DEFAULT_LIDAR = rounded_lidar(LidarConfig())


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
    lidar: LidarConfig = DEFAULT_LIDAR
    overlay: OverlayConfig = OverlayConfig()

    def to_json(self) -> dict[str, dict[str, float]]:
        def clean(values: dict[str, float]) -> dict[str, float]:
            # float32 values written with the shortest text that reads back to the same float32
            return {k: float(np.format_float_positional(np.float32(v), unique=True, trim="0"))
                    for k, v in sorted(values.items())}

        return {LIDAR_KEY: clean(asdict(self.lidar)), LIDAR_OVERLAY_KEY: clean(asdict(self.overlay))}


class ConfigError(ValueError):
    """A LiDAR configuration the node must not use; the message says why."""


def _file_problem(config: SensorConfiguration) -> str | None:
    lidar, overlay = config.lidar, config.overlay
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


def _numbers(data: dict[str, object], key: str, names: tuple[str, ...]) -> dict[str, float]:
    """The finite numbers `names` of section `key`, rounded to float32; ConfigError naming what is wrong."""
    section = data[key]
    if not isinstance(section, dict):
        raise ConfigError(f"{key!r} must be an object")
    values: dict[str, float] = {}
    for name in names:
        if name not in section:
            raise ConfigError(f"{key}.{name} is missing")
        value = section[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise ConfigError(f"{key}.{name} must be a number, not {value!r}")
        values[name] = f32(value)
    return values


def parse_sensor_configuration(data: object) -> SensorConfiguration:
    """A SensorConfiguration from decoded JSON; raises ConfigError with a clear message."""
    if not isinstance(data, dict) or LIDAR_KEY not in data or LIDAR_OVERLAY_KEY not in data:
        raise ConfigError(f"expected an object with {LIDAR_KEY!r} and {LIDAR_OVERLAY_KEY!r}")
    lidar_values = _numbers(data, LIDAR_KEY, LIDAR_CONFIG_KEYS)
    overlay_values = _numbers(data, LIDAR_OVERLAY_KEY, tuple(OverlayConfig.__dataclass_fields__))
    try:
        lidar = LidarConfig.from_mapping(lidar_values)
    except ValueError as exc:
        raise ConfigError(f"{LIDAR_KEY}.{exc}") from None
    config = SensorConfiguration(lidar, OverlayConfig(**overlay_values))
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

