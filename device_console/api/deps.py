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

from device_console.console import Console
from device_console.core.edge import has_control_characters, issue_csrf_token
from device_console.core.security import TOKEN_COOKIE


def get_console(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


ConsoleDep = Annotated[Console, Depends(get_console)]


class NotLoggedIn(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=401, detail="Log in to the device console first.")


def set_token_cookie(request: Request, response: Response, token: str, max_age: float) -> None:
    """`deepracer_token` as the original sets it: readable by the page's JavaScript (UIs written for
    the original read `document.cookie` to know they are logged in), Secure over HTTPS, SameSite=Lax.
    What keeps the session safe is CSRF on every state change, the strict CSP of our pages and
    `no-store` on JSON answers (README, "Client compatibility")."""
    response.set_cookie(TOKEN_COOKIE, token, max_age=int(max_age), path="/", httponly=False,
                        samesite="lax", secure=request.url.scheme == "https")


def clear_token_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=False, samesite="lax",
                           secure=request.url.scheme == "https")


def page_csrf_token(request: Request, console: Console) -> str:
    """A CSRF token for a page's `<meta name="csrf-token">`, bound to this browser."""
    return issue_csrf_token(request.scope, console.csrf)


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
    its session is alive: device_console.driving.supervisor)."""
    token = request.cookies.get(TOKEN_COOKIE)
    if not console.tokens.validate(token):
        raise NotLoggedIn()
    assert token is not None
    console.drive.touch(token)
    if console.tokens.cookie_due(token):  # slide the cookie's expiry, at most every ttl/10
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


MAX_JSON_DEPTH = 32
MAX_JSON_DIGITS = 300  # a float ends near 1.8e308: longer integers are not numbers for the car


def _refuse_constant(name: str) -> Any:
    raise BadBody(f"The request body is not valid JSON: {name} is not a JSON number.")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise BadBody("The request body has a number that is too large.")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadBody("The request body has a number that is too large.")
    return value


def _check_json(value: Any, where: str = "", depth: int = 0) -> None:
    """No deeper than MAX_JSON_DEPTH, and no control characters in strings (they end up in command
    lines, file names and logs)."""
    if depth > MAX_JSON_DEPTH:
        raise BadBody("The request body is nested too deeply.")
    if isinstance(value, str):
        if has_control_characters(value):
            raise BadBody(f"{where or 'The request body'} must not contain control characters.")
    elif isinstance(value, dict):
        for key, item in value.items():
            if has_control_characters(key):
                raise BadBody("A field name must not contain control characters.")
            _check_json(item, f"{where}.{key}" if where else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{where}[{index}]", depth + 1)


def parse_json(raw: bytes) -> Any:
    """Strict JSON: NaN/Infinity, numbers beyond a float, deep nesting and control characters in
    strings are refused with a clear 400 (`BadBody`), never a 500."""
    try:
        data = json.loads(raw, parse_constant=_refuse_constant, parse_int=_parse_int,
                          parse_float=_parse_float)
    except RecursionError:
        raise BadBody("The request body is nested too deeply.") from None
    except (ValueError, UnicodeDecodeError):
        raise BadBody("The request body is not valid JSON.") from None
    _check_json(data)
    return data


async def json_body(request: Request, required: bool = True) -> dict[str, Any]:
    """The body as a JSON object (content type not enforced, as Flask's `get_json(force=True)`).

    Its size is capped by `device_console.core.edge.BodyLimit` before it gets here."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise BadBody("The request body must be a JSON object.")
        return {}
    data = parse_json(raw)
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
    except (ValueError, OverflowError):
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
