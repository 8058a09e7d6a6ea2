"""Errors of the model library and the inference engine.

Every message is written for the person holding the model file: it says which file, what is wrong
and, where it helps, what to do. Callers show `str(exc)` as is (console, CLI, USB report, ROS log).
"""

from __future__ import annotations

from enum import IntEnum


class ModelImportError(Exception):
    """A model archive, folder or graph could not be imported; nothing was changed on disk."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ModelNotFoundError(ModelImportError):
    """The named model is not installed."""


class MetadataError(ModelImportError):
    """model_metadata.json is missing, unreadable or breaks the original rules."""


class ModelLoadError(Exception):
    """A model could not be prepared or loaded into the inference engine."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.code = int(code) if code else int(LoadErrorCode.MODEL_INVALID)


class LoadErrorCode(IntEnum):
    """`error` values of /inference_pkg/load_model and /model_optimizer_pkg/model_optimizer_server.

    The original returned 0 even when loading failed; these codes are never 0 on a failure.
    """

    OK = 0
    BAD_REQUEST = 1          # unknown task_type / pre_process_type / action_space_type, bad name
    NOT_FOUND = 2            # the artifact, the graph or the model folder does not exist
    MODEL_INVALID = 3        # unreadable graph, unknown input names, conversion failed
    COMPILE_FAILED = 4       # OpenVINO could not compile the model for the device
    NOT_IMPLEMENTED = 5      # task_type 1 (object detection), like the original


LOAD_ERROR_TEXT = {
    LoadErrorCode.OK: "ok",
    LoadErrorCode.BAD_REQUEST: "invalid load request (unknown task, pre-process or action space type, bad name)",
    LoadErrorCode.NOT_FOUND: "the model files were not found; upload the model again",
    LoadErrorCode.MODEL_INVALID: "the model graph could not be read or converted; check the model archive",
    LoadErrorCode.COMPILE_FAILED: "OpenVINO could not compile the model for this device",
    LoadErrorCode.NOT_IMPLEMENTED: "object detection models are not supported",
}


def describe_load_error(code: int) -> str:
    """A short text for an optimizer/load_model error code (the full reason is in the node's log)."""
    try:
        return LOAD_ERROR_TEXT[LoadErrorCode(int(code))]
    except ValueError:
        return f"error {code}"
