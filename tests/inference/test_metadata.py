"""model_metadata.json: original rules and defaults, real-world variants, clear errors, display names."""

from __future__ import annotations

import json

import pytest

from inference.errors import MetadataError
from inference.metadata import (
    LIDAR_DEFAULTS,
    ContinuousActionSpace,
    DiscreteAction,
    input_tensor_name,
    parse_metadata,
)

ACTIONS = [{"steering_angle": -30, "speed": 0.5, "index": 0}, {"steering_angle": 30, "speed": 1, "index": 1}]


def test_original_defaults() -> None:
    meta = parse_metadata({"action_space": ACTIONS})
    assert meta.sensors == ("observation",)
    assert meta.training_algorithm == "clipped_ppo" and meta.training_algorithm_id == 1
    assert meta.action_space_type == "discrete" and meta.action_space_type_id == 1
    assert meta.action_space == (DiscreteAction(-30.0, 0.5), DiscreteAction(30.0, 1.0))
    assert meta.lidar is None and meta.lidar_channels == 0
    assert meta.head == "main"
    assert meta.sensor_display_names == ["Camera"]


def test_documented_example_version_3() -> None:
    # the example of the model-file conventions page
    text = ('{ "action_space": [ { "steering_angle": -30, "speed": 0.5, "index": 0 }, { "steering_angle": -30, '
            '"speed": 1, "index": 1 }, { "steering_angle": 30, "speed": 1, "index": 9 } ], "sensor": '
            '[ "FRONT_FACING_CAMERA" ], "neural_network": "DEEP_CONVOLUTIONAL_NETWORK_SHALLOW", "version": "3" }')
    meta = parse_metadata(text)
    assert meta.version == "3" and meta.neural_network == "DEEP_CONVOLUTIONAL_NETWORK_SHALLOW"
    assert meta.sensor_ids == [5]
    assert len(meta.action_space) == 3  # "index" ignored, list position is the label


@pytest.mark.parametrize("version", ["3", "4", 4, "5", 5.0, "6"])
def test_versions_as_string_or_number(version) -> None:
    meta = parse_metadata({"action_space": ACTIONS, "version": version})
    assert meta.version == str(int(float(version)))


def test_real_world_variants() -> None:
    data = {
        "action_space": [{"steering_angle": "-15.5", "speed": 1}, {"steering_angle": 0.0, "speed": "2.0"},
                         {"steering_angle": 15, "speed": 1.25, "index": "2"}],
        "sensor": ["FRONT_FACING_CAMERA", "FRONT_FACING_CAMERA"],
        "training_algorithm": " Clipped_PPO ",
        "action_space_type": "DISCRETE",
        "regional_parameters": ["0", 1, "2", 3],
        "preprocess_type": "GREY_SCALE",
        "neural_network": "DEEP_CONVOLUTIONAL_NETWORK_SHALLOW",
        "version": "5",
        "something_new": {"nested": True},
    }
    meta = parse_metadata(json.dumps(data).encode("utf-8-sig"))
    assert meta.sensors == ("FRONT_FACING_CAMERA",)
    assert meta.training_algorithm == "clipped_ppo" and meta.action_space_type == "discrete"
    assert [a.steering_angle for a in meta.action_space] == [-15.5, 0.0, 15.0]
    assert meta.max_speed == 2.0
    assert meta.preprocess_type == "GREY_SCALE"
    assert meta.raw["something_new"] == {"nested": True}


def test_continuous_sac() -> None:
    meta = parse_metadata({
        "action_space": {"steering_angle": {"high": 30.0, "low": -30.0}, "speed": {"high": 4, "low": 0.75}},
        "sensor": ["STEREO_CAMERAS", "LIDAR"], "training_algorithm": "sac", "action_space_type": "continuous"})
    assert isinstance(meta.action_space, ContinuousActionSpace)
    assert meta.action_space.speed.high == 4.0 and meta.max_speed == 4.0
    assert meta.head == "policy"
    assert meta.training_algorithm_display_name == "Soft actor critic"
    assert meta.action_space_type_display_name == "Continuous"
    assert meta.sensor_display_names == ["Stereo camera", "LiDAR"]
    assert meta.lidar == LIDAR_DEFAULTS["LIDAR"] and meta.lidar_channels == 64
    assert input_tensor_name("STEREO_CAMERAS", "sac") == \
        "main_level/agent/policy/online/network_0/STEREO_CAMERAS/STEREO_CAMERAS"


def test_continuous_inferred_when_type_missing() -> None:
    meta = parse_metadata({"action_space": {"steering_angle": {"high": 20, "low": -20},
                                            "speed": {"high": 2, "low": 1}}})
    assert meta.action_space_type == "continuous"


def test_lidar_defaults_and_custom_config_never_leak() -> None:
    custom = {"num_values": 32, "min_angle": -90, "max_angle": 90, "min_distance": 0.2, "max_distance": 0.8,
              "clipping_distance": 0.8, "num_sectors": 4}
    first = parse_metadata({"action_space": ACTIONS, "sensor": ["FRONT_FACING_CAMERA", "SECTOR_LIDAR"],
                            "lidar_config": custom})
    assert first.lidar is not None and first.lidar.num_sectors == 4 and first.lidar.preprocess_type == 1
    assert first.lidar_channels == 4
    # the original mutated its module-level defaults here; the next model must get the pristine defaults
    second = parse_metadata({"action_space": ACTIONS, "sensor": ["FRONT_FACING_CAMERA", "SECTOR_LIDAR"]})
    assert second.lidar == LIDAR_DEFAULTS["SECTOR_LIDAR"]
    assert (second.lidar.clipping_distance, second.lidar.num_sectors, second.lidar.preprocess_type) == (0.5, 8, 1)
    assert LIDAR_DEFAULTS["LIDAR"].clipping_distance == 1.0 and LIDAR_DEFAULTS["LIDAR"].num_sectors == 64
    # lidar_config without a LiDAR sensor is ignored
    assert parse_metadata({"action_space": ACTIONS, "lidar_config": custom}).lidar is None


@pytest.mark.parametrize(("data", "message"), [
    ({"action_space": ACTIONS, "sensor": ["CAMERA"]},
     "model_metadata.json: sensor 'CAMERA' is not one of observation, LIDAR, SECTOR_LIDAR, LEFT_CAMERA, "
     "FRONT_FACING_CAMERA, STEREO_CAMERAS"),
    ({"action_space": ACTIONS, "training_algorithm": "dqn"},
     "training_algorithm 'dqn' is not one of clipped_ppo, sac"),
    ({"action_space": ACTIONS, "action_space_type": "mixed"}, "action_space_type 'mixed' is not one of"),
    ({"sensor": ["FRONT_FACING_CAMERA"]}, "No action space value found in model_metadata.json"),
    ({"action_space": [{"steering_angle": 0}]}, 'action 0 needs "steering_angle" and "speed"'),
    ({"action_space": [{"steering_angle": 0, "speed": "fast"}]}, "action 0 speed must be a number, not 'fast'"),
    ({"action_space": [{"steering_angle": True, "speed": 1}]}, "steering_angle must be a number"),
    ({"action_space": []}, '"action_space" is empty'),
    ({"action_space": {"steering_angle": {"high": -1, "low": 1}, "speed": {"high": 2, "low": 1}},
      "action_space_type": "continuous"}, "action_space.steering_angle: high (-1) must be greater than low (1)"),
    ({"action_space": {"speed": {"high": 2, "low": 1}}, "action_space_type": "continuous"},
     'continuous action_space needs "steering_angle"'),
    ({"action_space": ACTIONS, "training_algorithm": "sac"}, "SAC models use a continuous action space"),
    ({"action_space": ACTIONS, "sensor": ["FRONT_FACING_CAMERA", "STEREO_CAMERAS"]}, "more than one camera"),
    ({"action_space": ACTIONS, "sensor": ["LIDAR"], "lidar_config": {"num_values": 64}},
     "lidar_config is missing min_angle"),
    ({"action_space": ACTIONS, "sensor": ["LIDAR"], "lidar_config": {
        "num_values": 64, "min_angle": 90, "max_angle": -90, "min_distance": 0.15, "max_distance": 0.5,
        "clipping_distance": 1, "num_sectors": 8}}, "lidar_config: min_angle 90 is greater than max_angle -90"),
    ([1, 2], "must contain a JSON object"),
    ("{not json", "is not valid JSON"),
])
def test_errors_say_what_to_fix(data, message: str) -> None:
    with pytest.raises(MetadataError) as info:
        parse_metadata(data)
    assert message in str(info.value)
    assert str(info.value).startswith("model_metadata.json: ")


def test_display_names_of_every_sensor() -> None:
    from inference.metadata import display_action_space_type, display_sensor, display_training_algorithm

    assert [display_sensor(s) for s in ("observation", "LIDAR", "SECTOR_LIDAR", "LEFT_CAMERA", "FRONT_FACING_CAMERA",
                                        "STEREO_CAMERAS", "RADAR")] == \
        ["Camera", "LiDAR", "LiDAR", "Left camera", "Front-facing camera", "Stereo camera", "--"]
    assert display_training_algorithm("clipped_ppo") == "Clipped PPO"
    assert display_training_algorithm("a2c") == "--"
    assert display_action_space_type("discrete") == "Discrete"
