"""FastAPI dependencies and small helpers shared by the route modules.

`ConsoleDep` is the console's service container; `require_session` guards every route outside the
login flow (the routers are built with it); `json_body` reads a request body as the original did
(any content type, must be a JSON object).
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response

from device_console.auth import TOKEN_COOKIE
from device_console.services import Console


def get_console(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


ConsoleDep = Annotated[Console, Depends(get_console)]


class NotLoggedIn(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=401, detail="Log in to the device console first.")


def set_token_cookie(request: Request, response: Response, token: str, max_age: float) -> None:
    response.set_cookie(TOKEN_COOKIE, token, max_age=int(max_age), path="/", httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")


def clear_token_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")


def is_logged_in(request: Request, console: Console, slide: bool = True) -> bool:
    token = request.cookies.get(TOKEN_COOKIE)
    if not console.tokens.validate(token, slide=slide):
        return False
    assert token is not None
    console.drive.touch(token)  # every request of a session is a sign of life of its driver
    return True


async def require_session(request: Request, response: Response, console: ConsoleDep) -> str:
    """A valid `deepracer_token` cookie, else 401; refreshes the cookie (sliding expiry).

    The request counts as a sign of life of the session (a manual driver's command is held while
    its session is alive: device_console.drive_supervisor)."""
    token = request.cookies.get(TOKEN_COOKIE)
    if not console.tokens.validate(token):
        raise NotLoggedIn()
    assert token is not None
    console.drive.touch(token)
    set_token_cookie(request, response, token, console.settings.token_ttl_s)
    return token


SessionDep = Annotated[str, Depends(require_session)]


def same_site_only(request: Request) -> None:
    """For the original's state-changing GET routes: refuse cross-site browser navigations."""
    if request.headers.get("sec-fetch-site", "") == "cross-site":
        raise HTTPException(status_code=403, detail="Cross-site requests are not allowed here.")


class BadBody(HTTPException):
    def __init__(self, reason: str) -> None:
        super().__init__(status_code=400, detail=reason)


async def json_body(request: Request, required: bool = True) -> dict[str, Any]:
    """The body as a JSON object (content type not enforced, as Flask's `get_json(force=True)`)."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise BadBody("The request body must be a JSON object.")
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadBody("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadBody("The request body must be a JSON object.")
    return data


def ok(**fields: Any) -> dict[str, Any]:
    return {"success": True, **fields}


def fail(reason: str, **fields: Any) -> dict[str, Any]:
    return {"success": False, "reason": reason, **fields}


class FieldError(ValueError):
    """A body field is missing or invalid; the message is the original's reason text."""


def number_field(body: dict[str, Any], name: str, low: float | None = None, high: float | None = None) -> float:
    if name not in body or body[name] is None:
        raise FieldError(f"{name} is required")
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise FieldError(f"{name} must be a number")
    try:
        number = float(value)
    except ValueError:
        raise FieldError(f"{name} must be a number") from None
    if not math.isfinite(number):
        raise FieldError(f"{name} must be a number")
    if (low is not None and number < low) or (high is not None and number > high):
        raise FieldError(f"{name} out of range")
    return number


def int_field(body: dict[str, Any], name: str, low: int | None = None, high: int | None = None) -> int:
    number = number_field(body, name)
    if number != int(number):
        raise FieldError(f"{name} must be a whole number")
    value = int(number)
    if (low is not None and value < low) or (high is not None and value > high):
        raise FieldError(f"{name} out of range")
    return value


def str_field(body: dict[str, Any], name: str, max_length: int = 1024) -> str:
    value = body.get(name)
    if value is None:
        raise FieldError(f"{name} is required")
    if not isinstance(value, str):
        raise FieldError(f"{name} must be a string")
    if len(value) > max_length:
        raise FieldError(f"{name} is too long")
    return value
