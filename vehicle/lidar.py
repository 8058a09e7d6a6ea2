"""LidarConfig: how the LiDAR scan becomes the vector a model reads (`EvoSensorMsg.lidar_data`).

One configuration, three places it comes from: the LidarConfigSrv request the console sends when a
model loads (`/sensor_fusion_pkg/configure_lidar`), a model's "lidar_config" in model_metadata.json,
and the "lidar" section of sensor_configuration.json (the sensor fusion node's defaults, which are
the defaults here). Angles in degrees (0 = straight ahead, positive to the left), distances in metres.

Preprocessing (`preprocess_type`): 0 = `num_values` distances interpolated over [min_angle, max_angle],
1 = `num_sectors` binary sectors (1.0 when anything in the sector is closer than the max distance).
The rules the sensor fusion node applies to a configuration are `lidar_config_problem`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from enum import IntEnum
from typing import Protocol


class LidarPreprocess(IntEnum):
    DISTANCES = 0  # "default" in the original
    SECTORS = 1  # "sector"


# The configuration's fields, in the order of LidarConfigSrv (after use_lidar).
LIDAR_CONFIG_KEYS = ("min_angle", "max_angle", "num_values", "min_distance", "max_distance",
                     "clipping_distance", "num_sectors", "preprocess_type")
LIDAR_COUNT_KEYS = ("num_values", "num_sectors", "preprocess_type")  # whole numbers; the rest are floats


class LidarConfigFields(Protocol):
    """The configuration fields of LidarConfigSrv.Request."""

    min_angle: float
    max_angle: float
    num_values: int
    min_distance: float
    max_distance: float
    clipping_distance: float
    num_sectors: int
    preprocess_type: int


@dataclass(frozen=True)
class LidarConfig:
    min_angle: float = -60.0
    max_angle: float = 60.0
    num_values: int = 64
    min_distance: float = 0.15
    max_distance: float = 1.0
    clipping_distance: float = 1.0
    num_sectors: int = 64
    preprocess_type: int = 0  # LidarPreprocess

    @property
    def max_lidar_dist(self) -> float:
        """The distance that stands for "nothing there": min(max_distance, clipping_distance)."""
        return min(self.max_distance, self.clipping_distance)

    @property
    def channels(self) -> int:
        """Length of the vector the sensor fusion node sends for this configuration."""
        return self.num_sectors if self.preprocess_type == LidarPreprocess.SECTORS else self.num_values

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> LidarConfig:
        """From a dict with every key of LIDAR_CONFIG_KEYS (numbers; the counts whole).

        Raises KeyError for a missing key, ValueError or TypeError for a value that is not a number.
        """
        return cls(min_angle=_number(values, "min_angle"), max_angle=_number(values, "max_angle"),
                   num_values=_count(values, "num_values"), min_distance=_number(values, "min_distance"),
                   max_distance=_number(values, "max_distance"),
                   clipping_distance=_number(values, "clipping_distance"),
                   num_sectors=_count(values, "num_sectors"), preprocess_type=_count(values, "preprocess_type"))

    @classmethod
    def from_fields(cls, message: LidarConfigFields) -> LidarConfig:
        """From a LidarConfigSrv request (its `use_lidar` is not part of the configuration)."""
        return cls(min_angle=float(message.min_angle), max_angle=float(message.max_angle),
                   num_values=int(message.num_values), min_distance=float(message.min_distance),
                   max_distance=float(message.max_distance), clipping_distance=float(message.clipping_distance),
                   num_sectors=int(message.num_sectors), preprocess_type=int(message.preprocess_type))

    def fields(self) -> dict[str, float | int]:
        """The configuration fields of a LidarConfigSrv request (and JSON)."""
        return {key: int(value) if key in LIDAR_COUNT_KEYS else float(value) for key, value in asdict(self).items()}


def _number(values: Mapping[str, object], key: str) -> float:
    value = values[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{key} must be a number, not {value!r}")
    return float(value)


def _count(values: Mapping[str, object], key: str) -> int:
    value = _number(values, key)
    if value != int(value):
        raise ValueError(f"{key} must be a whole number, not {values[key]!r}")
    return int(value)


def lidar_config_problem(cfg: LidarConfig) -> str | None:
    """The sensor fusion node's rules for a configuration (the original's configure_lidar checks plus a
    guard against sector sizes it divided by zero or looped forever on); None when it is valid."""
    if cfg.min_angle > cfg.max_angle:
        return f"min_angle {cfg.min_angle:g} is greater than max_angle {cfg.max_angle:g}"
    if cfg.min_distance > cfg.max_distance:
        return f"min_distance {cfg.min_distance:g} is greater than max_distance {cfg.max_distance:g}"
    if cfg.min_distance > cfg.clipping_distance:
        return f"min_distance {cfg.min_distance:g} is greater than clipping_distance {cfg.clipping_distance:g}"
    if cfg.num_values < 1:
        return f"num_values must be at least 1, not {cfg.num_values:g}"
    if cfg.preprocess_type not in tuple(LidarPreprocess):
        return f"preprocess_type must be 0 (default) or 1 (sector), not {cfg.preprocess_type:g}"
    if cfg.preprocess_type == LidarPreprocess.SECTORS and not 1 <= cfg.num_sectors <= cfg.num_values:
        return (f"num_sectors must be between 1 and num_values ({cfg.num_values:g}) for sector "
                f"preprocessing, not {cfg.num_sectors:g}")
    return None


@dataclass(frozen=True)
class LidarConfigRequest:
    """LidarConfigSrv request: does the loaded model read the LiDAR, and how its data is prepared."""

    use_lidar: bool
    config: LidarConfig

    def fields(self) -> dict[str, bool | float | int]:
        """Keyword arguments of LidarConfigSrv.Request."""
        return {"use_lidar": bool(self.use_lidar), **self.config.fields()}
