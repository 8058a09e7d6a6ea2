"""The model-load request (ModelStateSrv), what loading answers (GetModelLoadingStatusSrv) and the
image size every DeepRacer model reads.

The console sends the request to ctrl_pkg (`/ctrl_pkg/model_state`); ctrl turns it into the model
optimizer, inference and navigation calls. The integer codes of the sensors, training algorithm and
action space type are those of model_metadata.json (`inference.metadata`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Protocol

# The camera input of every DeepRacer model: the camera node resizes its frames to this size.
MODEL_IMAGE_WIDTH = 160
MODEL_IMAGE_HEIGHT = 120

# GetModelLoadingStatusSrv.model_loading_status
MODEL_LOADING = "loading"
MODEL_LOADED = "loaded"
MODEL_LOAD_ERROR = "error"


class ModelLoadFields(Protocol):
    """The fields of ModelStateSrv.Request."""

    model_name: str
    model_metadata_sensors: Sequence[int]
    training_algorithm: int
    action_space_type: int
    img_format: str
    width: int
    height: int
    num_channels: int
    lidar_channels: int
    platform: int
    task_type: int
    pre_process_type: int


@dataclass(frozen=True)
class ModelLoadRequest:
    """ModelStateSrv request: the model (`<folder>/<name>` under the artifacts) and how to run it."""

    model_name: str
    model_metadata_sensors: tuple[int, ...] = ()
    training_algorithm: int = 1  # clipped_ppo
    action_space_type: int = 1  # discrete
    img_format: str = "RGB"
    width: int = MODEL_IMAGE_WIDTH
    height: int = MODEL_IMAGE_HEIGHT
    num_channels: int = 1
    lidar_channels: int = 0
    platform: int = 1
    task_type: int = 0
    pre_process_type: int = 1  # grey

    def __post_init__(self) -> None:
        object.__setattr__(self, "model_metadata_sensors", tuple(self.model_metadata_sensors))

    @classmethod
    def from_fields(cls, message: ModelLoadFields) -> ModelLoadRequest:
        """From a ModelStateSrv request."""
        return cls(model_name=str(message.model_name),
                   model_metadata_sensors=tuple(int(s) for s in message.model_metadata_sensors),
                   training_algorithm=int(message.training_algorithm),
                   action_space_type=int(message.action_space_type), img_format=str(message.img_format),
                   width=int(message.width), height=int(message.height), num_channels=int(message.num_channels),
                   lidar_channels=int(message.lidar_channels), platform=int(message.platform),
                   task_type=int(message.task_type), pre_process_type=int(message.pre_process_type))

    def fields(self) -> dict[str, str | int | list[int]]:
        """Keyword arguments of ModelStateSrv.Request; also plain JSON (see `from_dict`)."""
        values: dict[str, str | int | list[int]] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            values[f.name] = list(value) if isinstance(value, tuple) else value
        return values

    @classmethod
    def from_dict(cls, data: object) -> ModelLoadRequest | None:
        """Back from `fields()` (e.g. read from a JSON file; a missing field takes its default): None when
        the model name is missing or a field is unknown or of the wrong type, so a damaged file never turns
        into a wrong request."""
        if not isinstance(data, dict) or "model_name" not in data:
            return None
        expected = {f.name: getattr(_TEMPLATE, f.name) for f in fields(cls)}
        if not set(data) <= set(expected):
            return None
        for name, value in data.items():
            default = expected[name]
            if isinstance(default, tuple):
                if not isinstance(value, list | tuple) or not all(type(v) is int for v in value):
                    return None
            elif type(value) is not type(default):
                return None
        return cls(**data)


_TEMPLATE = ModelLoadRequest(model_name="")
