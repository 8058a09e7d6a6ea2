"""`/api/manual_drive/ws`: our UI's drive channel (commands and heartbeats over one WebSocket).

Connect with the login cookie and the page's CSRF token (browsers cannot set headers on a
WebSocket): `{"type": "hello", "csrf": "<token>"}` as the first message (within `HELLO_TIMEOUT_S`;
our UI does this: a token in the URL ends up in logs), or `ws[s]://<car>/api/manual_drive/ws?csrf=<token>`.
A browser's `Origin` must be the console's own. Then JSON text messages:

    → {"type": "drive", "angle": -1..1, "throttle": -1..1, "max_speed": 0..1}   (the /api/manual_drive maths)
    ← {"type": "drive", "success": true} | {"type": "drive", "success": false, "reason": "..."}
    → {"type": "heartbeat"}
    ← {"type": "heartbeat", "engaged": true|false}     (false: the car was stopped; resend to drive)
    ← {"type": "ready", "timeout": 0.5, "engaged": false}   (once, after the CSRF check)

The session is a strict driver (device_console.driving.supervisor): every message feeds its 0.5 s
dead-man, and the car stops at once when the socket that drove it closes.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

import anyio
from fastapi import APIRouter, WebSocket
from fastapi.responses import JSONResponse
from starlette.types import Scope
from starlette.websockets import WebSocketDisconnect

from device_console.api.answers import FieldError, fail
from device_console.api.bodies import ManualDriveBody
from device_console.api.routes.control import send_manual
from device_console.console import Console
from device_console.core.edge import csrf_problem
from device_console.core.security import TOKEN_COOKIE

log = logging.getLogger(__name__)
router = APIRouter(tags=["control"])

HELLO_TIMEOUT_S = 5.0
MAX_MESSAGE_CHARS = 4096
POLICY_VIOLATION = 1008
TOO_BIG = 1009
NOT_LOGGED_IN = 4401  # application close codes (4000-4999): the session ended


def same_origin(websocket: WebSocket) -> bool:
    """A browser's Origin must name this console (the Host it connected to). Clients that are not
    browsers send no Origin; they need the cookie and the CSRF token like any other client."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    host = websocket.headers.get("host", "")
    return parts.scheme in ("http", "https") and bool(host) and parts.netloc.lower() == host.lower()


def csrf_ok(console: Console, token: object, scope: Scope) -> bool:
    """The page's CSRF token, bound to this browser's CSRF cookie (checked as the CSRF header of any
    other state change; the handshake carries the cookie)."""
    return isinstance(token, str) and csrf_problem(console.csrf, scope, token) is None


async def _refuse(websocket: WebSocket, status: int, reason: str) -> None:
    """Refuse the handshake with an HTTP answer that says why (403 where the server cannot send one)."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(JSONResponse({"success": False, "reason": reason}, status_code=status))
    else:
        await websocket.close(code=POLICY_VIOLATION, reason=reason)


async def _receive_json(websocket: WebSocket) -> dict[str, Any] | None:
    """The next JSON object; None for a message that is not one (answered with an error)."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    if text is None:
        await websocket.send_json({"type": "error", **fail("Send JSON text messages.")})
        return None
    if len(text) > MAX_MESSAGE_CHARS:
        await websocket.close(code=TOO_BIG, reason="message too large")
        raise WebSocketDisconnect(TOO_BIG)
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        await websocket.send_json({"type": "error", **fail("A message must be a JSON object.")})
        return None
    return data


@router.websocket("/api/manual_drive/ws")
async def manual_drive_ws(websocket: WebSocket) -> None:
    console: Console = websocket.app.state.console
    session = websocket.cookies.get(TOKEN_COOKIE)
    if not session or not console.tokens.validate(session):
        await _refuse(websocket, 401, "Log in to the device console first.")
        return
    if not same_origin(websocket):
        await _refuse(websocket, 403, "Cross-site WebSocket connections are not allowed.")
        return
    token = websocket.query_params.get("csrf")
    if token is not None and not csrf_ok(console, token, websocket.scope):
        await _refuse(websocket, 403, "The CSRF token is invalid.")
        return
    await websocket.accept()
    if token is None:
        hello: dict[str, Any] | None = None
        with anyio.move_on_after(HELLO_TIMEOUT_S):
            try:
                hello = await _receive_json(websocket)
            except WebSocketDisconnect:
                return
        if hello is None or hello.get("type") != "hello" or not csrf_ok(console, hello.get("csrf"), websocket.scope):
            await websocket.close(code=POLICY_VIOLATION, reason="The CSRF token is missing or invalid.")
            return
    socket = console.drive.socket_opened(session)
    try:
        await websocket.send_json({"type": "ready", "timeout": console.settings.manual_drive_timeout_s,
                                   "engaged": console.drive.engaged_by(session)})
        while True:
            message = await _receive_json(websocket)
            if message is None:
                continue
            if not console.tokens.validate(session):
                await websocket.close(code=NOT_LOGGED_IN, reason="The session ended: log in again.")
                return
            engaged = console.drive.heartbeat(session)  # any message: the driver is there
            kind = message.get("type")
            if kind == "heartbeat":
                await websocket.send_json({"type": "heartbeat", "engaged": engaged})
            elif kind == "drive":
                try:
                    angle, throttle = ManualDriveBody.from_json(message).command()
                except FieldError as exc:
                    await websocket.send_json({"type": "drive", **fail(str(exc))})
                    continue
                await websocket.send_json({"type": "drive", **send_manual(console, session, angle, throttle, socket)})
            else:
                await websocket.send_json({"type": "error", **fail(f"Unknown message type {str(kind)[:40]!r}.")})
    except WebSocketDisconnect:
        pass
    finally:
        if console.drive.socket_closed(socket):
            log.info("manual drive: the driver's WebSocket closed; car stopped")
