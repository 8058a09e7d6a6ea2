"""The FastAPI dependencies the route modules share.

`ConsoleDep` is the console's service container; `require_session` (`SessionDep`) guards every route
outside the login flow (the routers are built with it); `json_body` reads a request body as the
original did (any content type, must be a JSON object; strict JSON: `api.strict_json`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response

from device_console.api.answers import BadBody
from device_console.api.strict_json import parse_json
from device_console.console import Console
from device_console.core.edge import issue_csrf_token
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
