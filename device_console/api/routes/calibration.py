"""Calibration (steering servo and speed controller, in the original console units) and tail light."""

from __future__ import annotations

import logging
import math
import time
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends

from calibration.files import UNREADABLE_NOTICE, calibration_file_problem
from calibration.maths import DEFAULT_MOTOR, DEFAULT_SERVO, PWM_OFFSET, ui_factor
from device_console.api.answers import FieldError, fail, ok
from device_console.api.bodies import AdjustWheels, CalibrationValues, LedColor
from device_console.api.deps import ConsoleDep, SessionDep, require_session, same_site_only
from device_console.api.routes.control import NO_CONTROL_NODE
from device_console.calibration_units import (
    PREVIEW_SLIDE_WINDOW_S,
    adjust_command,
    cal_type_for,
    calibration_to_ui,
    led_to_pwm,
    preview_means_mid,
    pwm_to_led,
    ui_to_calibration,
)
from device_console.car import CarError
from device_console.console import Console
from device_console.driving.supervisor import CALIBRATION as DRIVE_CALIBRATION
from vehicle.calibration import CAL_TYPE_MOTOR, CAL_TYPE_SERVO, CalibrationKind, CalibrationRange
from vehicle.modes import CALIBRATION

log = logging.getLogger(__name__)
NOT_CALIBRATING = ("The car's calibration could not be read: previews work in calibration mode "
                   "(GET /api/set_calibration_mode first).")

router = APIRouter(tags=["calibration"], dependencies=[Depends(require_session)])
KINDS = ("angle", "throttle")


def _kind(kind: str) -> int:
    """The cal_type of the path's `{kind}`; checked before the request body is read."""
    if kind not in KINDS:
        raise FieldError("The calibration type must be angle or throttle")
    return cal_type_for(kind)


CalType = Annotated[int, Depends(_kind)]


def _remember(console: Console, cal_type: int, cal: CalibrationRange) -> None:
    """Keep a usable calibration (the preview's neutral); ctrl answers zeros outside calibration mode."""
    if 0 < cal.min < cal.mid < cal.max:
        console.calibrations[cal_type] = cal


async def _calibrated_mids(console: Console) -> tuple[int, int]:
    """(steering mid, throttle mid) in ns, read from the car when not known yet."""
    for cal_type in (CAL_TYPE_SERVO, CAL_TYPE_MOTOR):
        if cal_type not in console.calibrations:
            _remember(console, cal_type, await console.car.get_calibration(cal_type))
        if cal_type not in console.calibrations:
            raise CarError(NOT_CALIBRATING)
    return console.calibrations[CAL_TYPE_SERVO].mid, console.calibrations[CAL_TYPE_MOTOR].mid


@router.get("/api/calibration_units")
def calibration_units() -> dict[str, Any]:
    """The console units of the calibration routes, from the car's calibration maths (so a UI copies
    no constant): a value v of a kind is a pulse of `v * factor_ns + pwm_offset_ns` ns; the kind's
    polarity when nothing was calibrated (a UI shows the other one as a reversed direction)."""
    defaults = {CalibrationKind.SERVO: DEFAULT_SERVO, CalibrationKind.MOTOR: DEFAULT_MOTOR}
    kinds = {kind: {"factor_ns": ui_factor(cal_type_for(kind)), "default_polarity": defaults[cal_type_for(kind)].polarity}
             for kind in KINDS}
    return ok(pwm_offset_ns=PWM_OFFSET, kinds=kinds)


@router.get("/api/set_calibration_mode", dependencies=[Depends(same_site_only)])
async def set_calibration_mode(console: ConsoleDep) -> dict[str, Any]:
    """Calibration state, active: needed before reading/writing calibration or the tail light."""
    console.stop_car("calibration mode")
    await console.car.set_vehicle_state(CALIBRATION)
    await console.car.enable_state(True)
    console.calibrations.clear()  # read again: another tool may have changed them
    try:
        await _calibrated_mids(console)
    except CarError as exc:  # the previews will say so; entering calibration mode worked
        log.warning("calibration mode: the calibration could not be read: %s", exc)
    return ok()


@router.get("/api/get_calibration/{kind}")
async def get_calibration(kind: str, console: ConsoleDep) -> dict[str, Any]:
    cal_type = _kind(kind)
    cal = await console.car.get_calibration(cal_type)
    _remember(console, cal_type, cal)
    return {**calibration_to_ui(cal, cal_type), "success": True}


@router.api_route("/api/set_calibration/{kind}", methods=["PUT", "POST"])
async def set_calibration(cal_type: CalType, body: CalibrationValues, console: ConsoleDep) -> dict[str, Any]:
    """`{"mid", "min", "max", "polarity"}` in console units (whole numbers)."""
    try:
        cal = ui_to_calibration(body.mid, body.min, body.max, body.polarity, cal_type)
    except ValueError as exc:
        return fail(str(exc))
    await console.car.set_calibration(cal_type, cal)
    _remember(console, cal_type, cal)
    return ok()


@router.api_route("/api/adjust_calibrating_wheels/{kind}", methods=["PUT", "POST"])
async def adjust_calibrating_wheels(cal_type: CalType, body: AdjustWheels, console: ConsoleDep,
                                    session: SessionDep) -> dict[str, Any]:
    """`{"pwm": console units[, "setting": "mid" | "min" | "max"]}`: live preview on
    /webserver_pkg/calibration_drive (calibration mode).

    A preview of 0 means the calibrated mid (centred / stopped), not a fixed 1.5 ms, unless the
    user is setting the mid itself (`"setting": "mid"`, or the value slides through 0 from a
    neighbouring one). The preview is held like a manual command: our UI keeps it with heartbeats
    (0.5 s dead-man), other clients while their session is alive; then the calibrated mids.
    """
    pwm, setting = body.pwm, body.setting
    try:
        mids = await _calibrated_mids(console)
    except CarError as exc:
        return fail(str(exc))
    key = (session, cal_type)
    now = time.monotonic()
    previous = console.previews.get(key)
    recent = previous[0] if previous is not None and now - previous[1] <= PREVIEW_SLIDE_WINDOW_S else None
    try:
        if preview_means_mid(pwm, setting, recent):
            angle, throttle = (float(mids[0]), -1.0) if cal_type == CAL_TYPE_SERVO else (-1.0, float(mids[1]))
            console.previews[key] = (math.inf, now)  # a 0 right after this one is the mid again
        else:
            angle, throttle = adjust_command(pwm, cal_type)
            console.previews[key] = (pwm, now)
    except ValueError as exc:
        return fail(str(exc))
    if console.car.drive_listeners(DRIVE_CALIBRATION) <= 0:
        console.drive.stop("the car's control node is not running")
        return fail(NO_CONTROL_NODE)
    console.drive.command(session, DRIVE_CALIBRATION, angle, throttle, stop=(float(mids[0]), float(mids[1])))
    return ok()


@router.post("/api/set_led_color")
async def set_led_color(body: LedColor, console: ConsoleDep) -> dict[str, Any]:
    """`{"red", "green", "blue"}` each 0..255."""
    red, green, blue = (led_to_pwm(v) for v in (body.red, body.green, body.blue))
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
