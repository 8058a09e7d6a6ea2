"""The login flow (the only routes reachable without a login) and the console password.

Wire-compatible with the original: `POST /login` (form field `password`) answers
`{"redirect": "/home"}` plus the `deepracer_token` cookie, or the body `failure`; `/auth` answers
200 (and refreshes the cookie) or 401; `/logout` and `/redirect_login` drop the session;
`/?epwd=<password>` logs in from the URL (DREM relies on it).
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse

from device_console.auth import TOKEN_COOKIE
from device_console.deps import (
    ConsoleDep,
    FieldError,
    SessionDep,
    clear_token_cookie,
    fail,
    is_logged_in,
    json_body,
    ok,
    require_session,
    set_token_cookie,
    str_field,
)
from device_console.pages import render_template
from device_console.services import Console

router = APIRouter(tags=["login"])
MAX_LOGIN_BODY = 16 * 1024  # the login is reachable without a session: never read a big body
protected = APIRouter(tags=["login"], dependencies=[Depends(require_session)])


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _page(console: Console, name: str) -> HTMLResponse:
    return render_template(console.settings.templates_dir, name, console.csrf.issue())


def _throttled(console: Console, request: Request) -> Response | None:
    wait = console.throttle.wait_time(client_key(request))
    if wait <= 0:
        return None
    return HTMLResponse("failure", status_code=429, headers={"Retry-After": str(math.ceil(wait))})


def _check_password(console: Console, request: Request, password: str) -> bool:
    if console.passwords.verify(password):
        console.throttle.success(client_key(request))
        return True
    console.throttle.failure(client_key(request))
    return False


def _home_or_login(request: Request, console: Console) -> Response:
    epwd = request.query_params.get("epwd")
    if epwd is not None:
        blocked = _throttled(console, request)
        if blocked is not None:
            return blocked
        if _check_password(console, request, epwd):
            response = RedirectResponse("/home", status_code=303, headers={"Cache-Control": "no-store"})
            set_token_cookie(request, response, console.tokens.issue(), console.settings.token_ttl_s)
            return response
        return _page(console, "login.html")
    if is_logged_in(request, console):
        return _page(console, "index.html")
    return _page(console, "login.html")


@router.get("/", response_class=HTMLResponse, summary="The console (index.html) or the login page")
def index(request: Request, console: ConsoleDep) -> Response:
    return _home_or_login(request, console)


@router.get("/home", response_class=HTMLResponse, summary="Same as /")
def home(request: Request, console: ConsoleDep) -> Response:
    return _home_or_login(request, console)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, console: ConsoleDep) -> Response:
    if request.query_params.get("epwd") is not None:
        return _home_or_login(request, console)
    return _page(console, "login.html")


@router.post("/login", response_model=None)
async def login(request: Request, console: ConsoleDep) -> Response:
    blocked = _throttled(console, request)
    if blocked is not None:
        return blocked
    length = request.headers.get("content-length", "")
    if not length.isdigit() or int(length) > MAX_LOGIN_BODY:
        return HTMLResponse("failure", status_code=413 if length.isdigit() else 411)
    password: Any = None
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        async with request.form(max_files=0, max_fields=10) as form:
            password = form.get("password")
    elif "json" in content_type:
        try:
            password = (await json_body(request)).get("password")
        except Exception:
            password = None
    if not isinstance(password, str) or not _check_password(console, request, password):
        return HTMLResponse("failure")
    response = JSONResponse({"redirect": "/home"}, headers={"Cache-Control": "no-store"})
    set_token_cookie(request, response, console.tokens.issue(), console.settings.token_ttl_s)
    return response


@router.api_route("/auth", methods=["GET", "POST"], response_model=None)
def auth(request: Request, console: ConsoleDep) -> Response:
    token = request.cookies.get(TOKEN_COOKIE)
    if not console.tokens.validate(token):
        return Response(status_code=401)
    response = Response(status_code=200)
    assert token is not None
    set_token_cookie(request, response, token, console.settings.token_ttl_s)
    return response


def _logout(request: Request, console: Console) -> Response:
    token = request.cookies.get(TOKEN_COOKIE)
    console.tokens.revoke(token)
    if token:
        console.drive.end_session(token)  # a car this session was driving stops
    response = _page(console, "login.html")
    clear_token_cookie(request, response)
    return response


@router.get("/logout", response_class=HTMLResponse)
def logout(request: Request, console: ConsoleDep) -> Response:
    return _logout(request, console)


@router.api_route("/redirect_login", methods=["GET", "POST"], response_class=HTMLResponse)
def redirect_login(request: Request, console: ConsoleDep) -> Response:
    return _logout(request, console)


@router.get("/favicon.ico", include_in_schema=False, response_model=None)
def favicon(console: ConsoleDep) -> Response:
    static = console.settings.static_dir
    for path, media_type in ((static / "favicon.ico", "image/x-icon"), (static / "img" / "favicon.ico", "image/x-icon"),
                             (static / "img" / "favicon.svg", "image/svg+xml")):
        if path.is_file():
            return FileResponse(path, media_type=media_type)
    return Response(status_code=404)


@protected.api_route("/api/password", methods=["GET", "POST"])
async def change_password(request: Request, console: ConsoleDep, token: SessionDep) -> dict[str, Any]:
    """`{"old_password", "new_password"}`; other sessions are logged out on success."""
    body = await json_body(request)
    try:
        old = str_field(body, "old_password", 256)
        new = str_field(body, "new_password", 256)
    except FieldError as exc:
        return fail(str(exc))
    blocked = console.throttle.wait_time(client_key(request))
    if blocked > 0:
        return fail(f"Too many attempts. Try again in {math.ceil(blocked)} s.")
    done, reason = console.passwords.change(old, new)
    if not done:
        if reason.startswith("The password is incorrect"):
            console.throttle.failure(client_key(request))
        return fail(reason)
    console.throttle.success(client_key(request))
    console.tokens.revoke_all_except(token)
    console.drive.end_other_sessions(token)
    return ok()
