"""Model output -> steering angle and throttle, the original deepracer_navigation maths.

Speed mapping: a parabola through (0, 0), (max/2, 0.8), (max, 1.0) of the action-space speed,
    a = -1.2 / max_speed**2,  b = 2.2 / max_speed,  mapped(s) = clamp(a*s**2 + b*s, -1, 1)
then throttle = throttle_scale (the console's maximum-speed %, 0..1) * mapped(speed).
Discrete: the action with the highest probability (list position = label), angle = steering /
max |steering|. Continuous: outputs clamped to [-1, 1] and scaled linearly onto [low, high];
angle = steering / max(|low|, |high|) (the original divided by `high`, which over-steers past
full lock when the range is not symmetric). Any bad output -> angle 0, throttle 0.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference.errors import MetadataError
from inference.metadata import (
    ACTION_SPACE_NAMES_BY_ID,
    METADATA_FILE,
    ContinuousActionSpace,
    DiscreteAction,
    parse_action_space,
)

# (speed at max, speed at max/2) of the mapping parabola, "DEFAULT_SPEED_SCALES" in the original.
DEFAULT_SPEED_SCALES = (1.0, 0.8)
DISCRETE = 1
CONTINUOUS = 2

DEFAULT_DISCRETE_ACTIONS: tuple[DiscreteAction, ...] = (
    DiscreteAction(steering_angle=30.0, speed=0.8),
    DiscreteAction(steering_angle=-30.0, speed=0.8),
    DiscreteAction(steering_angle=0.0, speed=0.8),
    DiscreteAction(steering_angle=15.0, speed=0.8),
    DiscreteAction(steering_angle=-15.0, speed=0.8),
    DiscreteAction(steering_angle=0.0, speed=0.4),
)


def speed_mapping(max_speed: float, scales: tuple[float, float] = DEFAULT_SPEED_SCALES) -> tuple[float, float]:
    """(a, b) of mapped(s) = a*s^2 + b*s for an action space whose top speed is `max_speed` m/s."""
    if not max_speed > 0 or not math.isfinite(max_speed):
        raise ValueError(f"max speed must be a positive number, not {max_speed!r}")
    at_max, at_half = scales
    a = (2.0 * at_max - 4.0 * at_half) / max_speed**2
    b = (4.0 * at_half - at_max) / max_speed
    return a, b


def map_speed(speed: float, a: float, b: float) -> float:
    return _clamp(a * speed * speed + b * speed, -1.0, 1.0)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


@dataclass(frozen=True)
class ActionSpace:
    kind: int                                    # DISCRETE or CONTINUOUS
    actions: tuple[DiscreteAction, ...] = ()     # discrete
    continuous: ContinuousActionSpace | None = None
    max_steering: float = 0.0
    max_speed: float = 0.0
    a: float = 0.0
    b: float = 0.0

    @classmethod
    def discrete(cls, actions: Sequence[DiscreteAction]) -> ActionSpace:
        actions = tuple(actions)
        max_speed = max(abs(x.speed) for x in actions)
        a, b = speed_mapping(max_speed)
        return cls(kind=DISCRETE, actions=actions, max_steering=max(abs(x.steering_angle) for x in actions),
                   max_speed=max_speed, a=a, b=b)

    @classmethod
    def from_continuous(cls, space: ContinuousActionSpace) -> ActionSpace:
        a, b = speed_mapping(space.speed.high)
        steer = space.steering_angle
        return cls(kind=CONTINUOUS, continuous=space, max_steering=max(abs(steer.low), abs(steer.high)),
                   max_speed=space.speed.high, a=a, b=b)

    def describe(self) -> str:
        """The original's log line."""
        scale: dict[str, Any]
        if self.kind == DISCRETE:
            scale = {"max_steering": self.max_steering, "max_speed": self.max_speed}
        else:
            assert self.continuous is not None
            scale = {"steering": [self.continuous.steering_angle.low, self.continuous.steering_angle.high],
                     "speed": [self.continuous.speed.low, self.continuous.speed.high]}
        return f"Action space scale set: {scale} \n Mapping equation params a: {self.a:.6g} b: {self.b:.6g}"

    def servo_command(self, results: Sequence[tuple[int, float]], throttle_scale: float) -> tuple[float, float]:
        """(angle, throttle) for one inference result: (class_label, class_prob) pairs."""
        try:
            angle, speed_factor = (self._discrete(results) if self.kind == DISCRETE
                                   else self._continuous(results))
        except (ValueError, IndexError, KeyError, ZeroDivisionError):
            return 0.0, 0.0
        throttle = throttle_scale * speed_factor
        if not (math.isfinite(angle) and math.isfinite(throttle)):
            return 0.0, 0.0
        return _clamp(angle, -1.0, 1.0), _clamp(throttle, -1.0, 1.0)

    def _discrete(self, results: Sequence[tuple[int, float]]) -> tuple[float, float]:
        if not results:
            raise ValueError("no results")
        label, prob = max(results, key=lambda item: item[1])
        if not math.isfinite(prob) or label < 0:
            raise ValueError("bad output")
        action = self.actions[label]
        angle = action.steering_angle / self.max_steering if self.max_steering else 0.0
        return angle, map_speed(action.speed, self.a, self.b)

    def _continuous(self, results: Sequence[tuple[int, float]]) -> tuple[float, float]:
        assert self.continuous is not None
        values = {label: prob for label, prob in results}
        steer_out, speed_out = values[0], values[1]
        if not (math.isfinite(steer_out) and math.isfinite(speed_out)):
            raise ValueError("bad output")
        steer_range, speed_range = self.continuous.steering_angle, self.continuous.speed
        steer = _scale(_clamp(steer_out, -1.0, 1.0), steer_range.low, steer_range.high)
        speed = _scale(_clamp(speed_out, -1.0, 1.0), speed_range.low, speed_range.high)
        angle = steer / self.max_steering if self.max_steering else 0.0
        return angle, map_speed(speed, self.a, self.b)


def _scale(value: float, low: float, high: float) -> float:
    """[-1, 1] -> [low, high] linearly."""
    return (value + 1.0) * (high - low) / 2.0 + low


def default_action_space() -> ActionSpace:
    return ActionSpace.discrete(DEFAULT_DISCRETE_ACTIONS)


def action_space_from_value(value: object, action_space_type: int, source: str = METADATA_FILE) -> ActionSpace:
    kind = ACTION_SPACE_NAMES_BY_ID.get(int(action_space_type))
    if kind is None:
        raise MetadataError(f"action_space_type {action_space_type} is not 1 (discrete) or 2 (continuous)")
    parsed = parse_action_space(value, kind, source)
    if isinstance(parsed, ContinuousActionSpace):
        return ActionSpace.from_continuous(parsed)
    return ActionSpace.discrete(parsed)


def load_action_space(artifact_path: str | Path, action_space_type: int) -> tuple[ActionSpace, int, str]:
    """The navigation node's load_action_space: model_metadata.json next to the artifact.

    Returns (action space, error, message). On any failure: the default action space, error 1 and
    the reason, as the original (which only logged it).
    """
    path = Path(artifact_path).parent / METADATA_FILE
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
        if not isinstance(data, dict):
            raise MetadataError(f"{path}: must contain a JSON object")
        space = action_space_from_value(data.get("action_space"), action_space_type, str(path))
    except FileNotFoundError:
        return default_action_space(), 1, f"{path} not found; using the default action space"
    except MetadataError as exc:
        return default_action_space(), 1, f"{exc}; using the default action space"
    except (OSError, ValueError) as exc:
        return default_action_space(), 1, f"{path}: {exc}; using the default action space"
    return space, 0, space.describe()
