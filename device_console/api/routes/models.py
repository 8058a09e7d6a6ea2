"""Models: list, load (the original load request), loading status, upload, delete."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from device_console.api.answers import fail, ok
from device_console.api.bodies import DeleteModels, upload_body
from device_console.api.deps import ConsoleDep, require_session
from device_console.car import CarError, CarUnavailable
from device_console.console import Console
from device_console.upload import UploadError, receive_file
from inference.errors import MetadataError, ModelImportError
from inference.metadata import CAMERA_SENSORS, LIDAR_DEFAULTS, LIDAR_SENSORS, ModelMetadata, display_sensor
from vehicle.lidar import LidarConfigRequest
from vehicle.model_load import ModelLoadRequest
from vehicle.status import SENSOR_CONNECTED, SensorStatus

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")
router = APIRouter(tags=["models"], dependencies=[Depends(require_session)])
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def status_text(value: int | None) -> str:
    if value is None:
        return "error"
    return "connected" if value == SENSOR_CONNECTED else "not_connected"


def sensor_status_fields(status: SensorStatus | None) -> dict[str, str]:
    return {
        "camera_status": status_text(status.single_camera if status else None),
        "stereo_status": status_text(status.stereo_camera if status else None),
        "lidar_status": status_text(status.lidar if status else None),
    }


def missing_sensors(meta: ModelMetadata, status: SensorStatus | None) -> list[str]:
    """Display names of the sensors a model needs that are not connected."""
    missing: list[str] = []
    for sensor in meta.sensors:
        if status is None:
            ok_now = False
        elif sensor in LIDAR_SENSORS:
            ok_now = status.lidar == SENSOR_CONNECTED
        elif sensor == "STEREO_CAMERAS":
            ok_now = status.stereo_camera == SENSOR_CONNECTED
        elif sensor in CAMERA_SENSORS:
            ok_now = status.single_camera == SENSOR_CONNECTED
        else:
            ok_now = False
        name = display_sensor(sensor)
        if not ok_now and name not in missing:
            missing.append(name)
    return missing


async def _sensor_status(console: Console) -> SensorStatus | None:
    try:
        return await console.car.sensor_status()
    except CarError as exc:
        log.warning("sensor status: %s", exc)
        return None


@router.get("/api/models")
async def models(console: ConsoleDep) -> dict[str, Any]:
    status = await _sensor_status(console)
    installed = await anyio.to_thread.run_sync(console.models.installed)
    enabled: list[dict[str, Any]] = []
    disabled: list[dict[str, Any]] = []
    for model in installed:
        if model.metadata is None:
            continue  # metadata errors: omitted, as the original
        meta = model.metadata
        blocked = bool(missing_sensors(meta, status))
        row = {
            "model_name": model.model_name,
            "model_folder_name": model.folder,
            "model_training_algorithm": meta.training_algorithm_display_name,
            "model_action_space_type": meta.action_space_type_display_name,
            "model_sensors": meta.sensor_display_names,
            "is_select_disabled": blocked,
        }
        (disabled if blocked else enabled).append(row)
    return {"models": enabled + disabled, "sensor_status": sensor_status_fields(status)}


@router.api_route("/api/models/{model_folder_name}/{model_name}", methods=["PUT", "POST"])
async def load_model(model_folder_name: str, model_name: str, console: ConsoleDep) -> dict[str, Any]:
    """Load a model: checks, LiDAR configuration, then /ctrl_pkg/model_state (poll /api/isModelLoading)."""
    store = console.models
    if not await anyio.to_thread.run_sync(store.graph_ready, model_folder_name, model_name):
        return fail(f"Model {model_folder_name}/{model_name} is not installed.")
    try:
        meta = await anyio.to_thread.run_sync(store.metadata, model_folder_name)
    except MetadataError as exc:
        return fail(exc.message)
    status = await _sensor_status(console)
    if status is None:
        return fail("Error getting sensor status")
    missing = missing_sensors(meta, status)
    if missing:
        return fail(f"Check the connections for the {', '.join(missing)} sensor(s)")
    lidar = meta.lidar or LIDAR_DEFAULTS["LIDAR"]
    try:
        await console.car.configure_lidar(LidarConfigRequest(use_lidar=meta.uses_lidar, config=lidar))
    except CarError as exc:
        log.warning("configure_lidar: %s", exc)
        return fail("Setting lidar configuration failed!")
    request = ModelLoadRequest(
        model_name=f"{model_folder_name}/{model_name}",
        model_metadata_sensors=tuple(meta.sensor_ids),
        training_algorithm=meta.training_algorithm_id,
        action_space_type=meta.action_space_type_id,
        lidar_channels=meta.lidar_channels,
    )
    try:
        await console.car.model_state(request)
    except CarUnavailable as exc:
        log.warning("model_state: %s", exc)
        return fail("Unable to reach model state server")
    except CarError as exc:
        log.warning("model_state: %s", exc)
        return fail("Model load failed! Please check the ROS logs")
    return ok()


@router.get("/api/isModelLoading")
async def is_model_loading(console: ConsoleDep) -> dict[str, Any]:
    status = await console.car.model_loading_status()
    return {"success": True, "isModelLoading": status}


@router.get("/api/uploaded_model_list")
async def uploaded_model_list(console: ConsoleDep) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await anyio.to_thread.run_sync(console.models.uploaded_list)
    return rows


ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")


def archive_suffix(filename: str) -> str | None:
    lower = filename.lower()
    return next((s for s in ARCHIVE_SUFFIXES if lower.endswith(s)), None)


def folder_name_for(filename: str) -> str:
    """`My model v2.tar.gz` → `My_model_v2` (the original's secure_filename, minus the extension)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    suffix = archive_suffix(base)
    stem = base[: -len(suffix)] if suffix else base
    stem = _UNSAFE.sub("", stem.replace(" ", "_")).lstrip(".")
    return stem[:128]


@router.api_route("/api/uploadModels", methods=["PUT", "POST"], response_model=None, openapi_extra=upload_body())
async def upload_models(request: Request, console: ConsoleDep) -> dict[str, Any] | JSONResponse:
    """Multipart field `file` (`<name>.tar.gz`, up to 200 MB) → `<artifacts>/<name>`."""
    settings = console.settings
    try:
        upload = await receive_file(request, settings.upload_tmp_dir, settings.max_upload_bytes)
    except UploadError as exc:
        return JSONResponse({"success": False, "message": exc.message, "reason": exc.message},
                            status_code=exc.status_code)
    try:
        if archive_suffix(upload.filename) is None:
            message = "Failed to upload the model. Not a .tar.gz file"
            return {"success": False, "message": message, "reason": message}
        name = folder_name_for(upload.filename)
        if not name:
            message = "Failed to upload the model. The file name has no usable characters"
            return {"success": False, "message": message, "reason": message}
        try:
            with_lock = _locked(console, console.models.import_archive)
            await anyio.to_thread.run_sync(with_lock, upload.path, name)
        except ModelImportError as exc:
            message = f"Failed to upload the model: {exc.message}"
            return {"success": False, "message": message, "reason": exc.message}
        return {"success": True, "message": "Model uploaded successfully to your vehicle"}
    finally:
        upload.path.unlink(missing_ok=True)


def _locked(console: Console, func: Callable[P, T]) -> Callable[P, T]:
    """`func` run while holding the model store's lock (one import or delete at a time)."""

    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with console.model_lock:
            return func(*args, **kwargs)

    return run


@router.api_route("/api/deleteModels", methods=["PUT", "POST"])
async def delete_models(body: DeleteModels, console: ConsoleDep) -> dict[str, Any]:
    """`{"filenames": [<model folder>, ...]}`."""
    problems = []
    for name in body.filenames:
        try:
            await anyio.to_thread.run_sync(_locked(console, console.models.delete), name)
        except ModelImportError as exc:
            problems.append(exc.message)
    if problems:
        return {"success": False, "message": "Failed to delete the selected models", "reason": "; ".join(problems)}
    return {"success": True, "message": "Models deleted successfully from your vehicle"}


@router.get("/api/is_model_installed")
async def is_model_installed(console: ConsoleDep, filename: str = "") -> dict[str, Any]:
    name = folder_name_for(filename)
    installed = await anyio.to_thread.run_sync(console.models.is_installed, name)
    if installed:
        return {"success": True, "message": "Model is installed"}
    return {"success": False, "message": "Model is not installed"}
