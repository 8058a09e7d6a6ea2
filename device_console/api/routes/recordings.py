"""Drive recordings (ours): the bags of `logging_pkg`, their replay, and the recorder's settings.

    GET    /api/recordings                         bags (name, model, start, duration, frames, size) + recorder status
    GET    /api/recordings/{name}/download         the bag as <name>.tar.gz
    DELETE /api/recordings/{name}                  delete it (not the one being recorded)
    GET    /api/recordings/{name}/frames           the recorded inference results (no images) + the model's actions
    GET    /api/recordings/{name}/frames/{index}   frame `index` as JPEG
    GET    /api/logging_settings                   logging mode and storage (logging.conf)
    POST   /api/logging_settings                   {"mode": "Never|USBOnly|Always", "provider": "mcap|sqlite3"}

Names are checked against the folder listing (no path from the URL is ever opened as given); the
bags come from where the recorder writes (`<state>/run/recorder.json`: a USB stick while one is used),
else `<state>/logs`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends
from fastapi.responses import Response, StreamingResponse
from pydantic import Field

from device_console.api.answers import FieldError, fail, ok
from device_console.api.bodies import Body, JsonBody, Text
from device_console.api.deps import ConsoleDep, require_session
from device_console.console import Console
from recording import bags
from recording.config import MODES, PROVIDERS, ConfigError, LoggingConf, read_logging_conf, write_logging_conf

router = APIRouter(tags=["recordings"], dependencies=[Depends(require_session)])


class LoggingSettingsBody(Body):
    mode: Text = Field(max_length=16)          # Never | USBOnly | Always (any case)
    provider: Text = Field(max_length=16)      # mcap | sqlite3


LoggingSettings = Annotated[LoggingSettingsBody, Depends(JsonBody(LoggingSettingsBody))]


def recorder_status(console: Console) -> dict[str, Any]:
    try:
        data = json.loads((console.settings.state_dir / "run" / "recorder.json").read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def output_folder(console: Console, status: dict[str, Any] | None = None) -> Path:
    current = (status if status is not None else recorder_status(console)).get("output_path")
    if isinstance(current, str) and current and Path(current).is_dir():
        return Path(current)
    return console.settings.logs_dir


@router.get("/api/recordings")
async def list_recordings(console: ConsoleDep) -> dict[str, Any]:
    status = recorder_status(console)
    folder = output_folder(console, status)
    found = await anyio.to_thread.run_sync(bags.list_bags, folder)
    return ok(recordings=[b.as_json() for b in found], recorder=status, output_path=str(folder))


def _bag(console: Console, name: str) -> Path:
    try:
        return bags.bag_folder(output_folder(console), name)
    except bags.BagError as exc:
        raise FieldError(str(exc)) from None


@router.get("/api/recordings/{name}/download", response_model=None)
async def download_recording(name: str, console: ConsoleDep) -> StreamingResponse:
    folder = _bag(console, name)
    return StreamingResponse(bags.archive(folder.parent, folder.name), media_type="application/gzip",
                             headers={"Content-Disposition": f'attachment; filename="{folder.name}.tar.gz"'})


@router.delete("/api/recordings/{name}")
async def delete_recording(name: str, console: ConsoleDep) -> dict[str, Any]:
    status = recorder_status(console)
    folder = _bag(console, name)
    if status.get("bag") == folder.name:
        return fail("This recording is still being written: stop driving (or wait for it to close) first.")
    await anyio.to_thread.run_sync(bags.delete_bag, folder.parent, folder.name)
    return ok()


@router.get("/api/recordings/{name}/frames")
async def recording_frames(name: str, console: ConsoleDep) -> dict[str, Any]:
    folder = _bag(console, name)

    def read() -> list[dict[str, Any]]:
        return [{"index": f.index, "stamp": f.stamp, "results": f.results}
                for f in bags.frames(folder, images=False)]

    try:
        frames = await anyio.to_thread.run_sync(read)
    except Exception as exc:  # an incomplete or foreign bag: say so, never a 500
        return fail(f"This recording cannot be read: {exc}")
    info = bags.bag_info(folder)
    actions = bags.action_space(console.settings.artifacts_dir, info.model) if info else []
    return ok(frames=frames, actions=actions, model=info.model if info else "")


@router.get("/api/recordings/{name}/frames/{index}", response_model=None)
async def recording_frame(name: str, index: int, console: ConsoleDep) -> Response:
    folder = _bag(console, name)
    if index < 0:
        raise FieldError("index must be 0 or more")

    def read() -> bytes:
        for frame in bags.frames(folder, start=index, count=1):
            return frame.jpeg
        return b""

    jpeg = await anyio.to_thread.run_sync(read)
    if not jpeg:
        return Response(status_code=404, content=b"no such frame")
    return Response(content=jpeg, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})


@router.get("/api/logging_settings")
async def get_logging_settings(console: ConsoleDep) -> dict[str, Any]:
    conf, notes = read_logging_conf(console.settings.state_dir / "logging.conf")
    return ok(mode=conf.mode, provider=conf.provider, modes=list(MODES), providers=list(PROVIDERS), notes=notes,
              recorder=recorder_status(console))


@router.post("/api/logging_settings")
async def set_logging_settings(body: LoggingSettings, console: ConsoleDep) -> dict[str, Any]:
    try:
        conf = LoggingConf(mode=body.mode, provider=body.provider)
        await anyio.to_thread.run_sync(write_logging_conf, conf, console.settings.state_dir / "logging.conf")
    except ConfigError as exc:
        raise FieldError(str(exc)) from None
    saved, _notes = read_logging_conf(console.settings.state_dir / "logging.conf")
    return ok(mode=saved.mode, provider=saved.provider)
