"""Software update from the console (ours): status, upload a bundle, install the index's newest.

    GET  /api/software_update          {"running", "releases", "status": {state, pct, message, error,
                                        rolled_back, version, previous}, "index": bool}
    POST /api/software_update/upload   multipart `file` = deepracer-<version>.tar.gz (up to 4 GB), optional
                                       query `force=true` (a downgrade); the bundle is stored in
                                       `<prefix>/downloads` and `deepracer update --install` started in a
                                       process of its own (it restarts this console). A file that is no
                                       bundle, or not newer than the running release, is refused at once.

The original's routes (`/api/is_software_update_available`, `/api/begin_software_update`,
`/api/update_status`) stay in api/routes/system.py and go through the software_update node.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from device_console.api.answers import fail, ok
from device_console.api.bodies import upload_body
from device_console.api.deps import ConsoleDep, require_session
from device_console.upload import UploadError, receive_file

router = APIRouter(tags=["software update"], dependencies=[Depends(require_session)])
MAX_BUNDLE_BYTES = 4 << 30


def _prefix() -> Path:
    from runtime.paths import install_prefix

    return install_prefix()


def _running(prefix: Path) -> str | None:
    from updates.releases import ReleaseStore

    current = ReleaseStore(prefix).current()
    if current:
        return current
    from importlib import metadata

    try:
        return metadata.version("deepracer-open-stack")
    except metadata.PackageNotFoundError:
        return None


def _state(prefix: Path) -> dict[str, Any]:
    from updates.releases import ReleaseStore
    from updates.updater import read_status

    status = read_status(prefix)
    keep = ("state", "pct", "message", "error", "rolled_back", "version", "previous")
    return ok(running=_running(prefix), releases=ReleaseStore(prefix).versions(),
              status={k: status[k] for k in keep if k in status},
              index=bool(os.environ.get("DEEPRACER_UPDATE_INDEX")))


@router.get("/api/software_update")
def software_update_status(console: ConsoleDep) -> dict[str, Any]:
    return _state(_prefix())


def _stage(upload_path: Path, filename: str, prefix: Path, force: bool) -> tuple[str | None, str]:
    """(version, "") when the upload is a bundle worth installing (moved into downloads), else (None, why)."""
    from updates.bundle import BundleError, read_bundle_version, version_key

    if not filename.endswith((".tar.gz", ".tgz")):
        return None, "Choose a deepracer-<version>.tar.gz bundle (made by `make dist`)."
    try:
        version = read_bundle_version(upload_path)
    except BundleError as exc:
        return None, str(exc)
    running = _running(prefix)
    if running and not force:
        try:
            if version_key(version) <= version_key(running):
                return None, f"{version} is not newer than the running {running} (tick 'allow a downgrade' to install it)"
        except BundleError:
            pass
    downloads = prefix / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    target = downloads / f"deepracer-{version}.tar.gz"
    os.replace(upload_path, target)
    from updates import updater

    updater.launch_update(target, force=force, prefix=prefix)
    return version, ""


@router.post("/api/software_update/upload", response_model=None, openapi_extra=upload_body())
async def upload_bundle(request: Request, console: ConsoleDep) -> Any:
    prefix = _prefix()
    if not prefix.is_dir():
        return fail(f"This car has no software installation at {prefix} (install it with `deepracer install`).")
    try:
        upload = await receive_file(request, prefix / "downloads", MAX_BUNDLE_BYTES)
    except UploadError as exc:
        return JSONResponse({"success": False, "reason": exc.message}, status_code=exc.status_code)
    force = request.query_params.get("force", "").lower() in ("1", "true", "yes")
    try:
        version, problem = await anyio.to_thread.run_sync(_stage, upload.path, upload.filename, prefix, force)
    except OSError as exc:
        version, problem = None, f"The update could not start: {exc}"
    finally:
        upload.path.unlink(missing_ok=True)
    if version is None:
        return fail(problem)
    return ok(version=version, message=f"Installing {version}: the car restarts its software; this page "
                                       "shows the outcome when it is back.")
