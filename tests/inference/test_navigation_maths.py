"""Navigation maths as the original: speed mapping, discrete argmax, continuous scaling, defaults, failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inference.metadata import ContinuousActionSpace, DiscreteAction, Range
from inference.navigation import (
    CONTINUOUS,
    DISCRETE,
    ActionSpace,
    default_action_space,
    load_action_space,
    map_speed,
    speed_mapping,
)


@pytest.mark.parametrize(("max_speed", "a", "b"), [
    (0.8, -1.875, 2.75),
    (2.0, -0.3, 1.1),
    (1.0, -1.2, 2.2),
    (4.0, -0.075, 0.55),
])
def test_speed_mapping_coefficients(max_speed: float, a: float, b: float) -> None:
    got_a, got_b = speed_mapping(max_speed)
    assert got_a == pytest.approx(a) and got_b == pytest.approx(b)
    # the parabola passes through (0, 0), (max/2, 0.8) and (max, 1.0)
    assert map_speed(0.0, got_a, got_b) == 0.0
    assert map_speed(max_speed / 2, got_a, got_b) == pytest.approx(0.8)
    assert map_speed(max_speed, got_a, got_b) == pytest.approx(1.0)


def test_documented_example_max_08_pct_40_speed_02_gives_019() -> None:
    space = ActionSpace.discrete([DiscreteAction(0.0, 0.2), DiscreteAction(30.0, 0.8)])
    assert map_speed(0.2, space.a, space.b) == pytest.approx(0.475)
    angle, throttle = space.servo_command([(0, 0.9), (1, 0.1)], throttle_scale=0.40)
    assert angle == 0.0
    assert throttle == pytest.approx(0.19)


def test_speed_mapping_is_clamped_and_rejects_zero_speed() -> None:
    a, b = speed_mapping(0.8)
    assert map_speed(5.0, a, b) == -1.0  # far beyond the parabola's range
    with pytest.raises(ValueError):
        speed_mapping(0.0)


DISCRETE_SPACE = ActionSpace.discrete([DiscreteAction(-30, 0.4), DiscreteAction(-15, 0.8), DiscreteAction(0, 0.8),
                                       DiscreteAction(15, 0.8), DiscreteAction(30, 0.4)])


@pytest.mark.parametrize(("probs", "angle", "speed"), [
    ([0.9, 0.05, 0.02, 0.02, 0.01], -1.0, 0.4),
    ([0.1, 0.6, 0.1, 0.1, 0.1], -0.5, 0.8),
    ([0.0, 0.0, 1.0, 0.0, 0.0], 0.0, 0.8),
    ([0.1, 0.1, 0.1, 0.3, 0.4], 1.0, 0.4),
])
def test_discrete_argmax(probs: list[float], angle: float, speed: float) -> None:
    got_angle, got_throttle = DISCRETE_SPACE.servo_command(list(enumerate(probs)), throttle_scale=1.0)
    a, b = -1.2 / 0.8**2, 2.2 / 0.8
    assert got_angle == pytest.approx(angle)
    assert got_throttle == pytest.approx(a * speed**2 + b * speed)


CONT = ActionSpace.from_continuous(ContinuousActionSpace(steering_angle=Range(-30.0, 30.0), speed=Range(1.0, 3.0)))


@pytest.mark.parametrize(("steer_out", "speed_out", "angle", "speed"), [
    (-1.0, -1.0, -1.0, 1.0),
    (0.0, 0.0, 0.0, 2.0),
    (1.0, 1.0, 1.0, 3.0),
    (0.5, -0.5, 0.5, 1.5),
    (7.0, -9.0, 1.0, 1.0),  # outputs clamped to [-1, 1] first
])
def test_continuous_scaling(steer_out: float, speed_out: float, angle: float, speed: float) -> None:
    got_angle, got_throttle = CONT.servo_command([(0, steer_out), (1, speed_out)], throttle_scale=0.5)
    a, b = -1.2 / 3.0**2, 2.2 / 3.0
    assert got_angle == pytest.approx(angle)
    assert got_throttle == pytest.approx(0.5 * (a * speed**2 + b * speed))


def test_asymmetric_continuous_range_never_exceeds_full_lock() -> None:
    space = ActionSpace.from_continuous(ContinuousActionSpace(steering_angle=Range(-30.0, 10.0), speed=Range(1, 2)))
    assert space.servo_command([(0, -1.0), (1, 0.0)], 1.0)[0] == pytest.approx(-1.0)
    assert space.servo_command([(0, 1.0), (1, 0.0)], 1.0)[0] == pytest.approx(10 / 30)


def test_throttle_scale_zero_means_no_motion_and_bad_outputs_stop() -> None:
    assert DISCRETE_SPACE.servo_command([(2, 1.0)], throttle_scale=0.0) == (0.0, 0.0)
    assert DISCRETE_SPACE.servo_command([(9, 1.0)], 1.0) == (0.0, 0.0)           # label beyond the action space
    assert DISCRETE_SPACE.servo_command([(0, float("nan"))], 1.0) == (0.0, 0.0)
    assert DISCRETE_SPACE.servo_command([], 1.0) == (0.0, 0.0)
    assert CONT.servo_command([(0, 0.3)], 1.0) == (0.0, 0.0)                     # speed output missing


def test_default_action_space() -> None:
    space = default_action_space()
    assert space.kind == DISCRETE
    assert [(x.speed, x.steering_angle) for x in space.actions] == \
        [(0.8, 30), (0.8, -30), (0.8, 0), (0.8, 15), (0.8, -15), (0.4, 0)]
    assert space.max_steering == 30 and space.max_speed == 0.8


def test_load_action_space_next_to_the_artifact(tmp_path: Path) -> None:
    (tmp_path / "model_metadata.json").write_text(json.dumps({
        "action_space": {"steering_angle": {"low": -20, "high": 20}, "speed": {"low": 0.5, "high": 2}}}))
    space, error, message = load_action_space(tmp_path / "model.xml", CONTINUOUS)
    assert error == 0 and space.kind == CONTINUOUS and space.max_speed == 2
    assert "Mapping equation params a: -0.3 b: 1.1" in message


@pytest.mark.parametrize("content", [None, "{bad json", json.dumps({"sensor": ["observation"]}),
                                     json.dumps({"action_space": [{"speed": 1}]})])
def test_load_failures_fall_back_to_the_default_with_error_1(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        (tmp_path / "model_metadata.json").write_text(content)
    space, error, message = load_action_space(tmp_path / "model.xml", DISCRETE)
    assert error == 1 and "default action space" in message
    assert space == default_action_space()


def test_requested_type_must_match_the_file(tmp_path: Path) -> None:
    (tmp_path / "model_metadata.json").write_text(json.dumps({"action_space": [{"steering_angle": 0, "speed": 1}]}))
    space, error, _ = load_action_space(tmp_path / "model.xml", CONTINUOUS)
    assert error == 1 and space.kind == DISCRETE
