"""Driving: manual drive (with the dead-man heartbeat), drive mode, start/stop, max speed, e-stop,
and the manual-drive settings (how long a send-on-change client's command is held)."""

from __future__ import annotations

import logging
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends

from device_console.api.answers import fail, ok
from device_console.api.bodies import (
    DriveModeChoice,
    DriveModeWord,
    DriveSettings,
    EmergencyStop,
    ManualDrive,
    MaxNavThrottle,
    StartStop,
    StartStopWord,
)
from device_console.api.deps import ConsoleDep, SessionDep, require_session
from device_console.car import CarError
from device_console.console import Console
from device_console.core.config import LEGACY_HOLD_RANGE_S
from device_console.driving.settings_file import save_legacy_hold
from device_console.driving.supervisor import MANUAL as DRIVE_MANUAL
from vehicle.modes import AUTONOMOUS, MANUAL, DriveMode

log = logging.getLogger(__name__)
router = APIRouter(tags=["control"], dependencies=[Depends(require_session)])

NO_CONTROL_NODE = ("The car's control node (ctrl_pkg) is not running: the command was not sent. "
                   "Check the car with `deepracer status`.")
START_STOP_WORDS: dict[StartStopWord, bool] = {"start": True, "stop": False}
DRIVE_MODE_WORDS: dict[DriveModeWord, int] = {"manual": MANUAL, "auto": AUTONOMOUS, "autonomous": AUTONOMOUS}


def send_manual(console: Console, session: str, angle: float, throttle: float,
                socket: int | None = None) -> dict[str, Any]:
    """Publish a manual command of `session` (held by the drive supervisor while its driver is
    there); a failure when nothing on the car listens (the control node is not running)."""
    if console.car.drive_listeners(DRIVE_MANUAL) <= 0:
        console.drive.stop("the car's control node is not running")
        return fail(NO_CONTROL_NODE)
    console.drive.command(session, DRIVE_MANUAL, angle, throttle, socket=socket)
    return ok()


@router.api_route("/api/manual_drive", methods=["PUT", "POST"])
async def manual_drive(body: ManualDrive, console: ConsoleDep, session: SessionDep) -> dict[str, Any]:
    """`{"angle": -1..1, "throttle": -1..1, "max_speed": 0..1}` → /webserver_pkg/manual_drive.

    The command is held (and re-published) while its driver is there: our UI's heartbeats or
    drive socket (0.5 s dead-man), or, for clients of the original car that send only changes,
    while the session is alive (device_console.driving.supervisor).
    """
    angle, throttle = body.command()
    return send_manual(console, session, angle, throttle)


@router.post("/api/manual_drive/heartbeat")
def manual_drive_heartbeat(console: ConsoleDep, session: SessionDep) -> dict[str, Any]:
    """The manual driver is still there (send at least every 0.25 s while driving). A session that
    uses it gets the strict 0.5 s dead-man; `engaged` is false once the car was stopped."""
    engaged = console.drive.heartbeat(session)
    return ok(engaged=engaged, timeout=console.settings.manual_drive_timeout_s)


@router.api_route("/api/drive_mode", methods=["PUT", "POST"])
async def drive_mode(body: DriveModeChoice, console: ConsoleDep) -> dict[str, Any]:
    """`{"drive_mode": "manual" | "auto" | "autonomous"}` → /ctrl_pkg/vehicle_state 0 or 1."""
    state = DRIVE_MODE_WORDS[body.drive_mode]
    console.stop_car("drive mode change")
    await console.car.set_vehicle_state(state)
    return ok()


@router.api_route("/api/start_stop", methods=["PUT", "POST"])
async def start_stop(body: StartStop, console: ConsoleDep) -> dict[str, Any]:
    """`{"start_stop": "start" | "stop"}` → /ctrl_pkg/enable_state."""
    active = START_STOP_WORDS[body.start_stop]
    if not active:
        console.stop_car("stop")
    await console.car.enable_state(active)
    return ok()


def _drive_settings(console: Console) -> dict[str, Any]:
    return ok(legacy_drive_hold_s=console.drive.legacy_hold_s, legacy_drive_hold_range_s=list(LEGACY_HOLD_RANGE_S),
              manual_drive_timeout_s=console.settings.manual_drive_timeout_s)


@router.get("/api/drive_settings")
def get_drive_settings(console: ConsoleDep) -> dict[str, Any]:
    """How long the car holds a command of a client that sends only changes (see /api/manual_drive)."""
    return _drive_settings(console)


@router.post("/api/drive_settings")
async def set_drive_settings(body: DriveSettings, console: ConsoleDep) -> dict[str, Any]:
    """`{"legacy_drive_hold_s": 0.5..60}`: saved, in force at once."""
    value = body.legacy_drive_hold_s
    await anyio.to_thread.run_sync(save_legacy_hold, console.settings.drive_settings_file, value)
    console.drive.legacy_hold_s = value
    return _drive_settings(console)


@router.api_route("/api/max_nav_throttle", methods=["PUT", "POST"])
async def max_nav_throttle(body: MaxNavThrottle, console: ConsoleDep) -> dict[str, Any]:
    """`{"throttle": 0..100}` (percent) → /ctrl_pkg/autonomous_throttle (0..1)."""
    try:
        await console.car.set_autonomous_throttle(body.throttle / 100.0)
    except CarError as exc:
        log.warning("max_nav_throttle: %s", exc)
        return fail("Failed to call the navigation throttle service")
    return ok()


@router.get("/api/control_modes_available")
async def control_modes_available(console: ConsoleDep) -> dict[str, Any]:
    modes = await console.car.ctrl_modes()
    names = [mode.label for mode in map(DriveMode.of, modes) if mode is not None]
    return {"control_modes_available": names, "success": True}


@router.post("/api/emergency_stop")
async def emergency_stop(_body: EmergencyStop, console: ConsoleDep) -> dict[str, Any]:
    """Stop now: zero command, disable the current mode and call /ctrl_pkg/emergency_stop.

    The optional `{"usb_reset": bool}` of the community console is accepted; resetting USB devices
    is not something this stack needs (its camera and LiDAR drivers recover by themselves).
    """
    console.stop_car("emergency stop")
    problems = []
    try:
        await console.car.enable_state(False)
    except CarError as exc:
        problems.append(str(exc))
    try:
        await console.car.emergency_stop()
    except CarError as exc:
        problems.append(str(exc))
    if problems:
        return fail("; ".join(problems))
    return ok()
