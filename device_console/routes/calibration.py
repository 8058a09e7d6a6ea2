"""Calibration (steering servo and speed controller, in the original console units) and tail light."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request

from calibration.files import UNREADABLE_NOTICE, calibration_file_problem
from device_console.calibration_units import (
    adjust_command,
    cal_type_for,
    calibration_to_ui,
    led_to_pwm,
    pwm_to_led,
    ui_to_calibration,
)
from device_console.car import CALIBRATION
from device_console.deps import (
    ConsoleDep,
    FieldError,
    fail,
    int_field,
    json_body,
    number_field,
    ok,
    require_session,
    same_site_only,
)

router = APIRouter(tags=["calibration"], dependencies=[Depends(require_session)])
KINDS = ("angle", "throttle")


def _kind(kind: str) -> int:
    if kind not in KINDS:
        raise FieldError("The calibration type must be angle or throttle")
    return cal_type_for(kind)


@router.get("/api/set_calibration_mode", dependencies=[Depends(same_site_only)])
async def set_calibration_mode(console: ConsoleDep) -> dict[str, Any]:
    """Calibration state, active: needed before reading/writing calibration or the tail light."""
    console.stop_car()
    console.watchdog.disengage()
    await console.car.set_vehicle_state(CALIBRATION)
    await console.car.enable_state(True)
    return ok()


@router.get("/api/get_calibration/{kind}")
async def get_calibration(kind: str, console: ConsoleDep) -> dict[str, Any]:
    cal_type = _kind(kind)
    cal = await console.car.get_calibration(cal_type)
    return {**calibration_to_ui(cal, cal_type), "success": True}


@router.api_route("/api/set_calibration/{kind}", methods=["PUT", "POST"])
async def set_calibration(kind: str, request: Request, console: ConsoleDep) -> dict[str, Any]:
    """`{"mid", "min", "max", "polarity"}` in console units (whole numbers)."""
    cal_type = _kind(kind)
    body = await json_body(request)
    mid = number_field(body, "mid")
    low = number_field(body, "min")
    high = number_field(body, "max")
    polarity = int_field(body, "polarity")
    try:
        cal = ui_to_calibration(mid, low, high, polarity, cal_type)
    except ValueError as exc:
        return fail(str(exc))
    await console.car.set_calibration(cal_type, cal)
    return ok()


@router.api_route("/api/adjust_calibrating_wheels/{kind}", methods=["PUT", "POST"])
async def adjust_calibrating_wheels(kind: str, request: Request, console: ConsoleDep) -> dict[str, Any]:
    """`{"pwm": console units}`: live preview on /webserver_pkg/calibration_drive."""
    cal_type = _kind(kind)
    body = await json_body(request)
    pwm = number_field(body, "pwm")
    try:
        angle, throttle = adjust_command(pwm, cal_type)
    except ValueError as exc:
        return fail(str(exc))
    console.car.publish_calibration_drive(angle, throttle)
    return ok()


@router.post("/api/set_led_color")
async def set_led_color(request: Request, console: ConsoleDep) -> dict[str, Any]:
    """`{"red", "green", "blue"}` each 0..255."""
    body = await json_body(request)
    try:
        values = [int_field(body, name, 0, 255) for name in ("red", "green", "blue")]
    except FieldError:
        return fail("Input is not valid")
    red, green, blue = (led_to_pwm(v) for v in values)
    await console.car.set_led(red, green, blue)
    return ok()


@router.get("/api/get_led_color")
async def get_led_color(console: ConsoleDep) -> dict[str, Any]:
    red, green, blue = await console.car.get_led()
    return {"red": pwm_to_led(red), "green": pwm_to_led(green), "blue": pwm_to_led(blue), "success": True}


@router.get("/api/calibration_file_status")
async def calibration_file_status(console: ConsoleDep) -> dict[str, Any]:
    """Whether calibration.json is usable. A corrupt file leaves the car on the default calibration
    (servo_pkg reads the same file at start): the Calibration page shows a banner until a new
    calibration is saved (which keeps the corrupt file aside as calibration.json.corrupt-<time>)."""
    path = console.settings.state_dir / "calibration.json"
    problem = await anyio.to_thread.run_sync(calibration_file_problem, path)
    if problem is None:
        return {"success": True, "file_ok": True}
    return {"success": True, "file_ok": False, "message": UNREADABLE_NOTICE, "reason": problem}
