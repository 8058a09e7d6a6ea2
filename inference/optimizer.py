"""The model optimizer step of a model load (ModelOptimizeSrv), without ROS.

The original ran Intel's `mo_tf.py` on every load (FP16, no cache). Here "optimising" means building
or validating the cached OpenVINO IR next to the graph (see engine.prepare_model): the first load of a
model converts it, every later load only checks the stamp. The returned artifact path is
`<artifacts>/<folder>/<model_name>.xml`, as the original, so the rest of the load sequence (and
navigation, which reads model_metadata.json next to it) is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from inference.engine import PreparedModel, prepare_model
from inference.errors import LoadErrorCode, ModelLoadError
from inference.metadata import ALGORITHM_NAMES_BY_ID, LIDAR_SENSORS, SENSOR_NAMES_BY_ID


def resolve_model_path(artifacts_dir: str | Path, model_name: str) -> Path:
    """`<folder>/<model_name>` (the console sends e.g. "MyModel/model") -> the folder's graph path stem."""
    if not model_name or not model_name.strip():
        raise ModelLoadError("model_name is empty", LoadErrorCode.BAD_REQUEST)
    parts = [p for p in model_name.strip().split("/") if p not in ("", ".")]
    if not parts or ".." in parts or model_name.startswith("/"):
        raise ModelLoadError(f"model_name {model_name!r} must be <model folder>/<model file name>",
                             LoadErrorCode.BAD_REQUEST)
    artifacts = Path(artifacts_dir)
    stem = artifacts.joinpath(*parts)
    if len(parts) == 1:  # just a folder name: its model.pb
        stem = stem / "model"
    return stem


def input_hints(sensors: Sequence[int], width: int, height: int, num_channels: int,
                lidar_channels: int) -> dict[str, list[int]]:
    """Full input shapes per sensor from a ModelOptimizeSrv request (the original's --input_shape rules)."""
    hints: dict[str, list[int]] = {}
    for sensor_id in sensors:
        name = SENSOR_NAMES_BY_ID.get(int(sensor_id))
        if name is None:
            raise ModelLoadError(f"unknown sensor id {sensor_id} (1-6)", LoadErrorCode.BAD_REQUEST)
        if name in LIDAR_SENSORS:
            if lidar_channels < 1:
                raise ModelLoadError(f"{name} needs lidar_channels >= 1", LoadErrorCode.BAD_REQUEST)
            hints[name] = [1, int(lidar_channels)]
        else:
            if width < 1 or height < 1:
                raise ModelLoadError("width and height must be at least 1", LoadErrorCode.BAD_REQUEST)
            channels = 2 if name == "STEREO_CAMERAS" else max(1, int(num_channels))
            hints[name] = [1, int(height), int(width), channels]
    return hints


def optimize_model(artifacts_dir: str | Path, model_name: str, sensors: Sequence[int], training_algorithm: int,
                   width: int, height: int, num_channels: int, lidar_channels: int,
                   log: Callable[[str], Any] | None = None) -> PreparedModel:
    if int(training_algorithm) not in ALGORITHM_NAMES_BY_ID:
        raise ModelLoadError(f"training_algorithm {training_algorithm} is not 1 (clipped_ppo) or 2 (sac)",
                             LoadErrorCode.BAD_REQUEST)
    stem = resolve_model_path(artifacts_dir, model_name)
    candidates = [stem.with_name(stem.name + suffix) for suffix in (".pb", ".onnx")]
    source = next((c for c in candidates if c.is_file()), None)
    if source is None:
        raise ModelLoadError(f"{candidates[0]} not found; is the model {model_name.split('/')[0]!r} installed?",
                             LoadErrorCode.NOT_FOUND)
    hints = input_hints(sensors, width, height, num_channels, lidar_channels)
    return prepare_model(source, hints or None, log=log)
