"""Driving: manual drive (with the dead-man heartbeat), drive mode, start/stop, max speed, e-stop."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends, Request

from device_console.bodies import (
    DriveModeBody,
    EmergencyStopBody,
    ManualDriveBody,
    MaxNavThrottleBody,
    StartStopBody,
    request_body,
)
from device_console.car import AUTONOMOUS, CALIBRATION, MANUAL, CarError
from device_console.deps import ConsoleDep, FieldError, fail, json_body, number_field, ok, require_session
from device_console.manual_drive import manual_drive_command

log = logging.getLogger(__name__)
router = APIRouter(tags=["control"], dependencies=[Depends(require_session)])

MODE_NAMES = {MANUAL: "manual", AUTONOMOUS: "autonomous", CALIBRATION: "calibration"}


@router.api_route("/api/manual_drive", methods=["PUT", "POST"], openapi_extra=request_body(ManualDriveBody))
async def manual_drive(request: Request, console: ConsoleDep) -> dict[str, Any]:
    """`{"angle": -1..1, "throttle": -1..1, "max_speed": 0..1}` → /webserver_pkg/manual_drive.

    Every call is also a heartbeat: while the car moves, silence for `manual_drive_timeout_s`
    (0.5 s) stops it.
    """
    body = await json_body(request)
    try:
        angle = number_field(body, "angle")
        throttle = number_field(body, "throttle")
        max_speed = number_field(body, "max_speed")
        if not -1.0 <= angle <= 1.0:
            raise FieldError("angle out of range")
        if not -1.0 <= throttle <= 1.0:
            raise FieldError("throttle out of range")
        if not 0.0 <= max_speed <= 1.0:
            raise FieldError("max_speed out of range")
    except FieldError as exc:
        return fail(str(exc))
    out_angle, out_throttle = manual_drive_command(angle, throttle, max_speed)
    console.car.publish_manual_drive(out_angle, out_throttle)
    console.watchdog.command(out_angle, out_throttle)
    return ok()


@router.post("/api/manual_drive/heartbeat")
def manual_drive_heartbeat(console: ConsoleDep) -> dict[str, Any]:
    """The manual driver is still there (send at least every 0.25 s while driving)."""
    console.watchdog.heartbeat()
    return ok(engaged=console.watchdog.engaged, timeout=console.settings.manual_drive_timeout_s)


@router.api_route("/api/drive_mode", methods=["PUT", "POST"], openapi_extra=request_body(DriveModeBody))
async def drive_mode(request: Request, console: ConsoleDep) -> dict[str, Any]:
    """`{"drive_mode": "manual" | "auto"}` → /ctrl_pkg/vehicle_state 0 or 1."""
    body = await json_body(request)
    mode = body.get("drive_mode")
    if mode is None:
        return fail("drive_mode must be set.")
    if not isinstance(mode, str):
        return fail("drive_mode must be a string.")
    console.stop_car()
    console.watchdog.disengage()
    await console.car.set_vehicle_state(MANUAL if mode == "manual" else AUTONOMOUS)
    return ok()


@router.api_route("/api/start_stop", methods=["PUT", "POST"], openapi_extra=request_body(StartStopBody))
async def start_stop(request: Request, console: ConsoleDep) -> dict[str, Any]:
    """`{"start_stop": "start" | "stop"}` → /ctrl_pkg/enable_state."""
    body = await json_body(request)
    value = body.get("start_stop")
    if value is None:
        return fail("start_stop must be set.")
    if not isinstance(value, str):
        return fail("start_stop must be a string.")
    active = value != "stop"
    if not active:
        console.stop_car()
        console.watchdog.disengage()
    await console.car.enable_state(active)
    return ok()


@router.api_route("/api/max_nav_throttle", methods=["PUT", "POST"],
                  openapi_extra=request_body(MaxNavThrottleBody))
async def max_nav_throttle(request: Request, console: ConsoleDep) -> dict[str, Any]:
    """`{"throttle": 0..100}` (percent) → /ctrl_pkg/autonomous_throttle (0..1)."""
    body = await json_body(request)
    try:
        throttle = number_field(body, "throttle", 0.0, 100.0)
    except FieldError as exc:
        return fail(str(exc))
    try:
        await console.car.set_autonomous_throttle(throttle / 100.0)
    except CarError as exc:
        log.warning("max_nav_throttle: %s", exc)
        return fail("Failed to call the navigation throttle service")
    return ok()


@router.get("/api/control_modes_available")
async def control_modes_available(console: ConsoleDep) -> dict[str, Any]:
    modes = await console.car.ctrl_modes()
    return {"control_modes_available": [MODE_NAMES[m] for m in modes if m in MODE_NAMES], "success": True}


@router.post("/api/emergency_stop", openapi_extra=request_body(EmergencyStopBody, required=False))
async def emergency_stop(request: Request, console: ConsoleDep) -> dict[str, Any]:
    """Stop now: zero command, disable the current mode and call /ctrl_pkg/emergency_stop.

    The optional `{"usb_reset": bool}` of the community console is accepted; resetting USB devices
    is not something this stack needs (its camera and LiDAR drivers recover by themselves).
    """
    await json_body(request, required=False)
    console.stop_car()
    console.watchdog.disengage()
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
