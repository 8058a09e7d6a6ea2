"""Device information and status, logs, time, discovery and the simulated car's status."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from device_console.api.answers import fail, ok
from device_console.api.bodies import Timezone
from device_console.api.deps import ConsoleDep, require_session
from device_console.api.route_table import route_table
from device_console.api.routes.models import sensor_status_fields
from device_console.car import CarError
from device_console.host_system import time_info

router = APIRouter(tags=["device"], dependencies=[Depends(require_session)])
SIM_STALE_S = 5.0
SIM_NOT_RUNNING = "The simulated car is not running"


@router.get("/api/get_device_info")
async def get_device_info(console: ConsoleDep) -> dict[str, Any]:
    """The car's device_info_node answers every field (GetDeviceInfoSrv, community dialect)."""
    info = await console.car.device_info()
    return {**info.fields(), "success": True}


@router.get("/api/get_battery_level")
async def get_battery_level(console: ConsoleDep) -> dict[str, Any]:
    return {"battery_level": await console.car.battery_level(), "success": True}


@router.get("/api/get_sensor_status")
async def get_sensor_status(console: ConsoleDep) -> dict[str, Any]:
    try:
        status = await console.car.sensor_status()
    except CarError as exc:
        return {**sensor_status_fields(None), "success": False, "reason": str(exc)}
    return {**sensor_status_fields(status), "success": True}


@router.get("/api/get_device_status")
async def get_device_status(console: ConsoleDep) -> dict[str, Any]:
    status = await console.car.device_status()
    fields = {name: float(getattr(status, name)) for name in status.__dataclass_fields__}
    return {**fields, "success": True}


@router.get("/api/server_ready")
def server_ready() -> dict[str, Any]:
    return {"success": True, "status": True}


@router.get("/api/supported_apis")
def supported_apis(request: Request) -> dict[str, Any]:
    """Every API rule this console serves (the community console hides features it lacks)."""

    rules = sorted({r.path for r in route_table(request.app) if r.kind == "http" and "api" in r.path})
    return {"success": True, "apis_supported": rules}


@router.get("/api/logs")
async def log_types(console: ConsoleDep) -> dict[str, Any]:
    """The log types `/api/logs/<type>/<n>` accepts on this car, and the one to show first."""
    types = await anyio.to_thread.run_sync(console.logs.available)
    return ok(log_types=types, default=await anyio.to_thread.run_sync(console.logs.default))


MAX_LINE_COUNT_DIGITS = 18


@router.get("/api/logs/{log_type}/{num_lines}", response_model=None)
async def logs(log_type: str, num_lines: str, console: ConsoleDep) -> dict[str, Any] | JSONResponse:
    """The last `num_lines` (at most 1000) lines of an allow-listed log.

    `num_lines` is a whole number as the original's `<int:num_lines>` (anything else: 404); one with
    more digits than any count is refused (400) rather than converted."""
    if not (num_lines.isascii() and num_lines.isdigit()):
        return JSONResponse(fail("Not Found"), status_code=404)
    if len(num_lines) > MAX_LINE_COUNT_DIGITS:
        return JSONResponse(fail("num_lines is too large (at most 1000 lines are returned)"), status_code=400)
    data = await anyio.to_thread.run_sync(console.logs.read, log_type, int(num_lines))
    return {"success": True, "data": data}


@router.get("/api/get_time")
async def get_time(console: ConsoleDep) -> dict[str, Any]:
    zone = await anyio.to_thread.run_sync(console.system.timezone)
    return {"success": True, **time_info(zone)}


@router.post("/api/set_timezone")
async def set_timezone(body: Timezone, console: ConsoleDep) -> dict[str, Any]:
    """`{"timezone": "Europe/Stockholm"}`, one of the system's time zone names."""
    zone = body.timezone
    known = await anyio.to_thread.run_sync(console.system.timezones)
    if zone not in known:
        return fail(f"Unknown time zone: {zone}")
    done, reason = await anyio.to_thread.run_sync(console.system.set_timezone, zone)
    return ok(**time_info(zone)) if done else fail(reason or "Could not set the time zone")


def _read_sim_json(path: Path, max_age: float | None) -> dict[str, Any] | None:
    try:
        if max_age is not None and time.time() - path.stat().st_mtime > max_age:
            return None
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@router.get("/api/sim/status")
async def sim_status(console: ConsoleDep) -> dict[str, Any]:
    """The simulator's status.json (track, laps, off_track, pose, speed, trail, lap times)."""
    data = await anyio.to_thread.run_sync(_read_sim_json, console.settings.sim_dir / "status.json", SIM_STALE_S)
    if data is None:
        return fail(SIM_NOT_RUNNING)
    return {**data, "success": True}


@router.get("/api/sim/track")
async def sim_track(console: ConsoleDep) -> dict[str, Any]:
    """The simulated track's geometry (track.json: centreline, inner and outer borders)."""
    data = await anyio.to_thread.run_sync(_read_sim_json, console.settings.sim_dir / "track.json", None)
    if data is None:
        return fail(SIM_NOT_RUNNING)
    return {**data, "success": True}
