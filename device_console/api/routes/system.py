"""Network / Wi-Fi, SSH and software update routes."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from device_console.api.answers import fail, ok
from device_console.api.bodies import SshPassword, UpdateStatus, Wifi
from device_console.api.deps import ConsoleDep, require_session, same_site_only
from device_console.car import CarError
from device_console.console import Console
from runtime.atomic import atomic_write_json

log = logging.getLogger(__name__)
router = APIRouter(tags=["system"], dependencies=[Depends(require_session)])
WIFI_FAILED = "Could not connect to the Wi-Fi network. Check your network ID and password and try again."
UPDATE_STATES = {-1: "unknown", 0: "up_to_date", 1: "update_available", 2: "update_pending",
                 3: "update_in_progress"}


async def _otg(console: Console) -> bool:
    try:
        return await console.car.otg_link_state()
    except CarError:
        return False


@router.get("/api/get_network_details")
async def get_network_details(console: ConsoleDep) -> dict[str, Any]:
    ssid = await anyio.to_thread.run_sync(console.network.current_ssid)
    addresses = await anyio.to_thread.run_sync(console.network.ip_addresses)
    return {"success": True, "is_usb_connected": await _otg(console), "SSID": ssid,
            "ip_address": ", ".join(addresses)}


@router.get("/api/is_usb_connected")
async def is_usb_connected(request: Request, console: ConsoleDep) -> dict[str, Any]:
    """True when the OTG link is up and the page was opened as https://deepracer.aws (over USB)."""
    via_usb = "deepracer.aws" in request.headers.get("referer", "")
    return {"success": True, "is_usb_connected": via_usb and await _otg(console)}


@router.get("/api/available_wifi_info")
async def available_wifi_info(console: ConsoleDep) -> list[dict[str, Any]]:
    networks: list[dict[str, Any]] = await anyio.to_thread.run_sync(console.network.scan_networks)
    return networks


@router.post("/api/wifi_reset")
async def wifi_reset(body: Wifi, console: ConsoleDep) -> dict[str, Any]:
    """`{"wifi_name", "wifi_password"}`: connect the car's Wi-Fi."""
    ssid, password = body.wifi_name, body.wifi_password
    done, message = await anyio.to_thread.run_sync(console.network.connect, ssid, password)
    if not done:
        log.warning("Wi-Fi connection to %r failed: %s", ssid, message)
        return fail(WIFI_FAILED)
    addresses = await anyio.to_thread.run_sync(console.network.ip_addresses)
    return {"success": True, "ip_address": ", ".join(addresses)}


# -- SSH ----------------------------------------------------------------------------------------
async def _ssh_answer(console: Console, done: bool = True, reason: str = "") -> dict[str, Any]:
    enabled = await anyio.to_thread.run_sync(console.system.ssh_enabled)
    return {"success": done, "isSshEnabled": enabled, "reason": reason}


@router.get("/api/isSshEnabled")
async def is_ssh_enabled(console: ConsoleDep) -> dict[str, Any]:
    return await _ssh_answer(console)


@router.get("/api/enableSsh", dependencies=[Depends(same_site_only)])
async def enable_ssh(console: ConsoleDep) -> dict[str, Any]:
    done, reason = await anyio.to_thread.run_sync(console.system.set_ssh, True)
    return await _ssh_answer(console, done, reason)


@router.get("/api/disableSsh", dependencies=[Depends(same_site_only)])
async def disable_ssh(console: ConsoleDep) -> dict[str, Any]:
    done, reason = await anyio.to_thread.run_sync(console.system.set_ssh, False)
    return await _ssh_answer(console, done, reason)


@router.get("/api/isSshDefaultPasswordChanged")
async def is_ssh_default_password_changed(console: ConsoleDep) -> dict[str, Any]:
    changed = await anyio.to_thread.run_sync(console.system.ssh_default_password_changed)
    return {"success": True, "isDefaultSshPasswordChanged": changed, "reason": ""}


@router.api_route("/api/resetSshPassword", methods=["PUT", "POST"])
async def reset_ssh_password(body: SshPassword, console: ConsoleDep) -> dict[str, Any]:
    """`{"oldPassword", "newPassword"}` for the `deepracer` user."""
    done, reason = await anyio.to_thread.run_sync(console.system.reset_ssh_password, body.oldPassword,
                                                  body.newPassword)
    return ok() if done else fail(reason)


# -- software update ----------------------------------------------------------------------------
def _read_update_status(console: Console) -> bool:
    path = console.settings.update_status_file
    try:
        data = json.loads(path.read_text())
        return bool(data.get("update_completed", False))
    except (OSError, ValueError, AttributeError):
        atomic_write_json(path, {"update_completed": False})
        return False


@router.get("/api/get_mandatory_update_status")
async def get_mandatory_update_status(console: ConsoleDep) -> dict[str, Any]:
    return {"success": True, "status": await anyio.to_thread.run_sync(_read_update_status, console)}


@router.api_route("/api/set_mandatory_update_status", methods=["PUT", "POST"])
async def set_mandatory_update_status(body: UpdateStatus, console: ConsoleDep) -> dict[str, Any]:
    await anyio.to_thread.run_sync(atomic_write_json, console.settings.update_status_file,
                                   {"update_completed": body.update_completed})
    return ok()


@router.get("/api/is_software_update_available")
async def is_software_update_available(console: ConsoleDep) -> dict[str, Any]:
    state = await console.car.software_update_check(False)
    return {"success": True, "status": state == 1}


@router.api_route("/api/begin_software_update", methods=["GET", "POST"], dependencies=[Depends(same_site_only)])
async def begin_software_update(console: ConsoleDep) -> dict[str, Any]:
    scheduled = await console.car.begin_software_update(2)
    return {"success": bool(scheduled)} if scheduled else fail("No software update is available.")


async def _update_events(console: Console) -> AsyncIterator[bytes]:
    index = 0
    while not console.stopping.is_set():
        index += 1
        progress = console.car.update_progress()
        if progress is None:
            line = f"data: status:unknown|update_pct:0 {index}\n\n"
        else:
            line = f"data: status:{progress.status}|update_pct:{int(progress.update_pct)} {index}\n\n"
        yield line.encode()
        await asyncio.sleep(1.0)


@router.get("/api/update_status")
async def update_status(console: ConsoleDep) -> StreamingResponse:
    """Server-sent events, one per second: `data: status:<state>|update_pct:<n> <i>`."""
    return StreamingResponse(_update_events(console), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
