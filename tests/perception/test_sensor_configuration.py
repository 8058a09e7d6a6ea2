"""sensor_configuration.json: defaults written when absent, read when present, bad files rejected."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from perception.sensor_config import (
    ConfigError,
    SensorConfiguration,
    load_sensor_configuration,
    parse_sensor_configuration,
    rounded_lidar,
)
from vehicle.lidar import LidarConfig, lidar_config_problem


def lidar_config_from_request(**fields: float) -> LidarConfig:
    """As the sensor fusion node turns a configure_lidar request into its configuration."""
    return rounded_lidar(LidarConfig.from_fields(SimpleNamespace(**fields)))  # type: ignore[arg-type]

DEFAULT_FILE = {
    "lidar": {"clipping_distance": 1.0, "max_angle": 60.0, "max_distance": 1.0, "min_angle": -60.0,
              "min_distance": 0.15, "num_sectors": 64.0, "num_values": 64.0, "preprocess_type": 0.0},
    "lidar_overlay": {"lidar_overlay_alpha": 0.8, "lidar_overlay_line_width": 1.0,
                      "lidar_overlay_num_sectors": 8.0, "max_angle": 150.0, "max_distance": 0.5,
                      "min_angle": -150.0, "min_distance": 0.15, "num_sectors": 8.0, "num_values": 64.0},
}


def test_defaults_are_written_when_the_file_is_absent(state_dir: Path) -> None:
    config, problem = load_sensor_configuration()
    assert problem is None and config == SensorConfiguration()
    path = state_dir / "sensor_configuration.json"
    assert json.loads(path.read_text()) == DEFAULT_FILE
    assert path.read_text().startswith('{\n   "lidar"')  # jsoncpp-like 3-space indent, sorted keys


def test_values_are_read_as_float32(state_dir: Path) -> None:
    data = json.loads(json.dumps(DEFAULT_FILE))
    data["lidar"].update(min_angle=-90, max_angle=90, max_distance=0.7, preprocess_type=1, num_sectors=8)
    (state_dir / "sensor_configuration.json").write_text(json.dumps(data))
    config, problem = load_sensor_configuration()
    assert problem is None
    assert config.lidar.max_distance == float(np.float32(0.7))
    assert config.lidar.max_lidar_dist == float(np.float32(0.7))
    assert (config.lidar.min_angle, config.lidar.preprocess_type, config.lidar.num_sectors) == (-90.0, 1.0, 8.0)


@pytest.mark.parametrize("mutate,message", [
    (lambda d: d["lidar"].pop("num_values"), "lidar.num_values is missing"),
    (lambda d: d.pop("lidar_overlay"), "expected an object"),
    (lambda d: d["lidar"].update(min_angle="x"), "must be a number"),
    (lambda d: d["lidar"].update(min_angle=70), "min_angle 70 is greater than max_angle 60"),
    (lambda d: d["lidar"].update(num_values=0), "num_values must be at least 1"),
    (lambda d: d["lidar"].update(preprocess_type=1, num_sectors=100), "num_sectors must be between 1 and"),
    (lambda d: d["lidar"].update(num_values=10.5), "whole number"),
])
def test_bad_file_is_reported_left_alone_and_defaults_used(state_dir: Path, mutate, message: str) -> None:
    data = json.loads(json.dumps(DEFAULT_FILE))
    mutate(data)
    path = state_dir / "sensor_configuration.json"
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    config, problem = load_sensor_configuration()
    assert config == SensorConfiguration()
    assert problem is not None and message in problem
    assert path.read_bytes() == before


def test_unparsable_file(state_dir: Path) -> None:
    (state_dir / "sensor_configuration.json").write_text("{not json")
    config, problem = load_sensor_configuration()
    assert config == SensorConfiguration() and "cannot read" in problem


def test_configure_lidar_rules() -> None:
    ok = dict(min_angle=-60, max_angle=60, num_values=64, min_distance=0.15, max_distance=1.0,
              clipping_distance=1.0, num_sectors=8, preprocess_type=1)
    assert lidar_config_problem(lidar_config_from_request(**ok)) is None
    for change in (dict(min_angle=61), dict(min_distance=1.5), dict(clipping_distance=0.1),
                   dict(num_values=0), dict(preprocess_type=2), dict(preprocess_type=-1),
                   dict(num_sectors=0), dict(num_sectors=65)):
        assert lidar_config_problem(lidar_config_from_request(**{**ok, **change})) is not None, change
    # sectors do not matter for distance preprocessing (the original accepted anything there)
    assert lidar_config_problem(lidar_config_from_request(**{**ok, "preprocess_type": 0, "num_sectors": 0})) is None
    # equal bounds are valid
    assert lidar_config_problem(LidarConfig(min_angle=5, max_angle=5, min_distance=1, max_distance=1)) is None


def test_parse_rejects_non_objects() -> None:
    with pytest.raises(ConfigError):
        parse_sensor_configuration([1, 2])
    with pytest.raises(ConfigError):
        parse_sensor_configuration({"lidar": 3, "lidar_overlay": {}})
