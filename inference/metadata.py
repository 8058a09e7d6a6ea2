"""model_metadata.json: the original rules and defaults, tolerant of the variants found in the wild.

Rules kept from the original device code (webserver/model_loader):
- "sensor": list of observation, LIDAR, SECTOR_LIDAR, LEFT_CAMERA, FRONT_FACING_CAMERA, STEREO_CAMERAS;
  missing -> ["observation"].
- "training_algorithm": clipped_ppo | sac, missing -> clipped_ppo.
- "action_space_type": discrete | continuous, missing -> discrete.
- "action_space": required. Discrete: list of {steering_angle, speed[, index]} (list position = label;
  "index" is ignored like the original). Continuous: {"steering_angle": {"low", "high"},
  "speed": {"low", "high"}} with high > low.
- "lidar_config" (only used when a LiDAR sensor is present): num_values, min_angle, max_angle,
  min_distance, max_distance, clipping_distance, num_sectors all required when present; otherwise the
  original defaults per sensor (copied, never mutated: the original leaked one model's config into the next).

Tolerated variants: versions 3-6 as string or number, "index" present or absent, int/float/numeric-string
angles and speeds, "regional_parameters" of strings or ints, "preprocess_type", "neural_network",
unknown extra keys, mixed-case algorithm/type/sensor names, a single sensor given as a string, and a
missing action_space_type when the action space is clearly continuous (the original then fell back to
the default action space silently).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from inference.errors import MetadataError
from vehicle.lidar import LIDAR_CONFIG_KEYS, LidarConfig, lidar_config_problem

METADATA_FILE = "model_metadata.json"

SENSORS: tuple[str, ...] = (
    "observation", "LIDAR", "SECTOR_LIDAR", "LEFT_CAMERA", "FRONT_FACING_CAMERA", "STEREO_CAMERAS",
)
SENSOR_IDS: dict[str, int] = {name: index + 1 for index, name in enumerate(SENSORS)}
SENSOR_NAMES_BY_ID: dict[int, str] = {v: k for k, v in SENSOR_IDS.items()}
CAMERA_SENSORS = ("observation", "LEFT_CAMERA", "FRONT_FACING_CAMERA", "STEREO_CAMERAS")
LIDAR_SENSORS = ("LIDAR", "SECTOR_LIDAR")

TRAINING_ALGORITHMS: dict[str, int] = {"clipped_ppo": 1, "sac": 2}
ACTION_SPACE_TYPES: dict[str, int] = {"discrete": 1, "continuous": 2}
ALGORITHM_NAMES_BY_ID = {v: k for k, v in TRAINING_ALGORITHMS.items()}
ACTION_SPACE_NAMES_BY_ID = {v: k for k, v in ACTION_SPACE_TYPES.items()}

SENSOR_DISPLAY_NAMES = {
    "observation": "Camera",
    "LIDAR": "LiDAR",
    "SECTOR_LIDAR": "LiDAR",
    "LEFT_CAMERA": "Left camera",
    "FRONT_FACING_CAMERA": "Front-facing camera",
    "STEREO_CAMERAS": "Stereo camera",
}
ALGORITHM_DISPLAY_NAMES = {"clipped_ppo": "Clipped PPO", "sac": "Soft actor critic"}
ACTION_SPACE_DISPLAY_NAMES = {"discrete": "Discrete", "continuous": "Continuous"}
INVALID_DISPLAY_NAME = "--"

# The keys a model's "lidar_config" must have ("preprocess_type" is optional: the sensor's default).
REQUIRED_LIDAR_KEYS = tuple(k for k in LIDAR_CONFIG_KEYS if k != "preprocess_type")

# The LiDAR pre-processing a model was trained with, by sensor, when its metadata has no "lidar_config".
LIDAR_DEFAULTS: dict[str, LidarConfig] = {
    "LIDAR": LidarConfig(min_angle=-150.0, max_angle=150.0, num_values=64, min_distance=0.15,
                         max_distance=0.5, clipping_distance=1.0, num_sectors=64, preprocess_type=0),
    "SECTOR_LIDAR": LidarConfig(min_angle=-150.0, max_angle=150.0, num_values=64, min_distance=0.15,
                                max_distance=0.5, clipping_distance=0.5, num_sectors=8, preprocess_type=1),
}


@dataclass(frozen=True)
class DiscreteAction:
    steering_angle: float
    speed: float


@dataclass(frozen=True)
class Range:
    low: float
    high: float


@dataclass(frozen=True)
class ContinuousActionSpace:
    steering_angle: Range
    speed: Range


ActionSpaceValue = tuple[DiscreteAction, ...] | ContinuousActionSpace


@dataclass(frozen=True)
class ModelMetadata:
    sensors: tuple[str, ...]
    training_algorithm: str
    action_space_type: str
    action_space: ActionSpaceValue
    lidar: LidarConfig | None = None
    neural_network: str | None = None
    version: str | None = None
    preprocess_type: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # ---- the integer enumerations of deepracer_interfaces_pkg ----
    @property
    def sensor_ids(self) -> list[int]:
        return [SENSOR_IDS[s] for s in self.sensors]

    @property
    def training_algorithm_id(self) -> int:
        return TRAINING_ALGORITHMS[self.training_algorithm]

    @property
    def action_space_type_id(self) -> int:
        return ACTION_SPACE_TYPES[self.action_space_type]

    @property
    def head(self) -> str:
        """Agent scope of the input tensors: "main" for clipped PPO, "policy" for SAC."""
        return graph_head(self.training_algorithm)

    @property
    def uses_lidar(self) -> bool:
        return any(s in LIDAR_SENSORS for s in self.sensors)

    @property
    def lidar_channels(self) -> int:
        return self.lidar.channels if self.lidar is not None else 0

    @property
    def camera_sensor(self) -> str | None:
        return next((s for s in self.sensors if s in CAMERA_SENSORS), None)

    # ---- console texts ----
    @property
    def sensor_display_names(self) -> list[str]:
        names: list[str] = []
        for s in self.sensors:
            label = SENSOR_DISPLAY_NAMES.get(s, INVALID_DISPLAY_NAME)
            if label not in names:
                names.append(label)
        return names

    @property
    def training_algorithm_display_name(self) -> str:
        return ALGORITHM_DISPLAY_NAMES.get(self.training_algorithm, INVALID_DISPLAY_NAME)

    @property
    def action_space_type_display_name(self) -> str:
        return ACTION_SPACE_DISPLAY_NAMES.get(self.action_space_type, INVALID_DISPLAY_NAME)

    @property
    def max_speed(self) -> float:
        if isinstance(self.action_space, ContinuousActionSpace):
            return self.action_space.speed.high
        return max(abs(a.speed) for a in self.action_space)


def graph_head(training_algorithm: str | int) -> str:
    if isinstance(training_algorithm, int):
        training_algorithm = ALGORITHM_NAMES_BY_ID.get(training_algorithm, "")
    if training_algorithm == "sac":
        return "policy"
    if training_algorithm == "clipped_ppo":
        return "main"
    raise MetadataError(f"training algorithm {training_algorithm!r} is not one of clipped_ppo, sac")


def input_tensor_name(sensor: str, training_algorithm: str | int = "clipped_ppo") -> str:
    """The frozen-graph placeholder name of `sensor`, as the original optimizer passes to --input."""
    return f"main_level/agent/{graph_head(training_algorithm)}/online/network_0/{sensor}/{sensor}"


def display_sensor(name: str) -> str:
    return SENSOR_DISPLAY_NAMES.get(name, INVALID_DISPLAY_NAME)


def display_training_algorithm(name: str) -> str:
    return ALGORITHM_DISPLAY_NAMES.get(name, INVALID_DISPLAY_NAME)


def display_action_space_type(name: str) -> str:
    return ACTION_SPACE_DISPLAY_NAMES.get(name, INVALID_DISPLAY_NAME)


# --------------------------------------------------------------------------------------------------
# parsing


def _fail(message: str, source: str) -> MetadataError:
    return MetadataError(f"{source}: {message}")


def _number(value: Any, what: str, source: str) -> float:
    if isinstance(value, bool):
        raise _fail(f"{what} must be a number, not {json.dumps(value)}", source)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _fail(f"{what} must be a number, not {value!r}", source) from None
    else:
        raise _fail(f"{what} must be a number, not {json.dumps(value)[:40]}", source)
    if not math.isfinite(number):
        raise _fail(f"{what} must be a finite number, not {value!r}", source)
    return number


def _integer(value: Any, what: str, source: str) -> int:
    number = _number(value, what, source)
    if number != int(number):
        raise _fail(f"{what} must be a whole number, not {value!r}", source)
    return int(number)


def _keyword(value: Any, what: str, allowed: Mapping[str, int], source: str) -> str:
    if not isinstance(value, str) or value.strip().lower() not in allowed:
        raise _fail(f"{what} {value!r} is not one of {', '.join(allowed)}", source)
    return value.strip().lower()


def _sensor(value: Any, source: str) -> str:
    if isinstance(value, str):
        text = value.strip()
        for name in SENSORS:
            if text == name or text.upper() == name.upper():
                return name
    raise _fail(f"sensor {value!r} is not one of {', '.join(SENSORS)}", source)


def parse_sensors(value: Any, source: str = METADATA_FILE) -> tuple[str, ...]:
    if value is None:
        return ("observation",)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise _fail(f'"sensor" must be a list of sensor names, not {json.dumps(value)[:60]}', source)
    sensors: list[str] = []
    for item in value:
        name = _sensor(item, source)
        if name not in sensors:
            sensors.append(name)
    if not sensors:
        raise _fail('"sensor" is empty; a model needs at least one camera', source)
    cameras = [s for s in sensors if s in CAMERA_SENSORS]
    if len(cameras) > 1:
        raise _fail(f"the model lists more than one camera input ({', '.join(cameras)}); "
                    "use one of them", source)
    if "LIDAR" in sensors and "SECTOR_LIDAR" in sensors:
        raise _fail("the model lists both LIDAR and SECTOR_LIDAR; use one of them", source)
    return tuple(sensors)


def parse_action_space(value: Any, action_space_type: str, source: str = METADATA_FILE) -> ActionSpaceValue:
    if value is None:
        raise _fail("No action space value found in model_metadata.json (key \"action_space\")", source)
    if action_space_type == "continuous":
        if not isinstance(value, Mapping):
            raise _fail('a continuous "action_space" must be an object with "steering_angle" and "speed" '
                        "ranges", source)
        ranges: dict[str, Range] = {}
        for key in ("steering_angle", "speed"):
            item = value.get(key)
            if not isinstance(item, Mapping) or "high" not in item or "low" not in item:
                raise _fail(f'continuous action_space needs "{key}": {{"low": .., "high": ..}}', source)
            low = _number(item["low"], f"action_space.{key}.low", source)
            high = _number(item["high"], f"action_space.{key}.high", source)
            if not high > low:
                raise _fail(f"action_space.{key}: high ({high:g}) must be greater than low ({low:g})", source)
            ranges[key] = Range(low=low, high=high)
        if ranges["speed"].high <= 0:
            raise _fail("action_space.speed.high must be greater than 0", source)
        return ContinuousActionSpace(steering_angle=ranges["steering_angle"], speed=ranges["speed"])
    if not isinstance(value, list):
        raise _fail('a discrete "action_space" must be a list of {"steering_angle", "speed"} actions', source)
    if not value:
        raise _fail('"action_space" is empty', source)
    actions: list[DiscreteAction] = []
    for position, item in enumerate(value):
        if not isinstance(item, Mapping) or "steering_angle" not in item or "speed" not in item:
            raise _fail(f'action {position} needs "steering_angle" and "speed"', source)
        actions.append(DiscreteAction(
            steering_angle=_number(item["steering_angle"], f"action {position} steering_angle", source),
            speed=_number(item["speed"], f"action {position} speed", source),
        ))
    if max(abs(a.speed) for a in actions) <= 0:
        raise _fail("every action has speed 0; the car could never move", source)
    return tuple(actions)


def parse_lidar_config(value: Any, sensors: tuple[str, ...], source: str = METADATA_FILE) -> LidarConfig | None:
    lidar_sensor = next((s for s in sensors if s in LIDAR_SENSORS), None)
    if lidar_sensor is None:
        return None
    default = LIDAR_DEFAULTS[lidar_sensor]
    if value is None:
        return default
    if not isinstance(value, Mapping):
        raise _fail('"lidar_config" must be an object', source)
    missing = [k for k in REQUIRED_LIDAR_KEYS if k not in value]
    if missing:
        raise _fail(f"lidar_config is missing {', '.join(missing)}", source)
    config = replace(
        default,
        num_values=_integer(value["num_values"], "lidar_config.num_values", source),
        min_angle=_number(value["min_angle"], "lidar_config.min_angle", source),
        max_angle=_number(value["max_angle"], "lidar_config.max_angle", source),
        min_distance=_number(value["min_distance"], "lidar_config.min_distance", source),
        max_distance=_number(value["max_distance"], "lidar_config.max_distance", source),
        clipping_distance=_number(value["clipping_distance"], "lidar_config.clipping_distance", source),
        num_sectors=_integer(value["num_sectors"], "lidar_config.num_sectors", source),
    )
    if "preprocess_type" in value:
        config = replace(config, preprocess_type=_integer(value["preprocess_type"],
                                                          "lidar_config.preprocess_type", source))
    # The sensor fusion node's configure_lidar rules, checked here so the error names the file.
    problem = lidar_config_problem(config)
    if problem:
        raise _fail(f"lidar_config: {problem}", source)
    return config


def _optional_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_metadata(data: Any, source: str = METADATA_FILE) -> ModelMetadata:
    """Validate a decoded model_metadata.json object (or its JSON text/bytes)."""
    if isinstance(data, bytes | bytearray):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _fail("is not UTF-8 text", source) from None
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise _fail(f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})", source) from None
    if not isinstance(data, Mapping):
        raise _fail("must contain a JSON object", source)

    sensors = parse_sensors(data.get("sensor"), source)
    algorithm = "clipped_ppo"
    if data.get("training_algorithm") is not None:
        algorithm = _keyword(data["training_algorithm"], "training_algorithm", TRAINING_ALGORITHMS, source)
    action_value = data.get("action_space")
    if data.get("action_space_type") is not None:
        action_type = _keyword(data["action_space_type"], "action_space_type", ACTION_SPACE_TYPES, source)
    else:
        action_type = "continuous" if isinstance(action_value, Mapping) else "discrete"
    if algorithm == "sac" and action_type != "continuous":
        raise _fail("SAC models use a continuous action space, but action_space_type is discrete", source)
    action_space = parse_action_space(action_value, action_type, source)
    lidar = parse_lidar_config(data.get("lidar_config"), sensors, source)
    return ModelMetadata(
        sensors=sensors,
        training_algorithm=algorithm,
        action_space_type=action_type,
        action_space=action_space,
        lidar=lidar,
        neural_network=_optional_text(data.get("neural_network")),
        version=_optional_text(data.get("version")),
        preprocess_type=_optional_text(data.get("preprocess_type")),
        raw=dict(data),
    )


def load_metadata(path: str | Path) -> ModelMetadata:
    """Read and validate a model_metadata.json file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MetadataError(f"{path}: file not found; every model needs a {METADATA_FILE}") from None
    except OSError as exc:
        raise MetadataError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_metadata(raw, source=str(path))
