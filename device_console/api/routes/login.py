"""The login flow (the only routes reachable without a login) and the console password.

Wire-compatible with the original: `POST /login` (form field `password`) answers
`{"redirect": "/home"}` plus the `deepracer_token` cookie, or the body `failure`; `/auth` answers
200 (and refreshes the cookie) or 401; `/logout` and `/redirect_login` drop the session;
`/?epwd=<password>` logs in from the URL (DREM relies on it).

`/`, `/home`, `/login`, `/logout` and `/redirect_login` show the active console UI: an installed one
(device_console/ui/bundle.py) or the built-in one. `/builtin/`, `/builtin/home`, `/builtin/login`
and `/builtin/logout` always show the built-in UI (its assets under `/builtin/static/`).
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse

from device_console.api.answers import fail, ok
from device_console.api.bodies import ConsolePassword, LoginForm, request_body
from device_console.api.deps import (
    ConsoleDep,
    SessionDep,
    clear_token_cookie,
    is_logged_in,
    json_body,
    page_csrf_token,
    require_session,
    set_token_cookie,
)
from device_console.console import Console
from device_console.core.security import TOKEN_COOKIE
from device_console.ui.bundle import active_ui
from device_console.ui.pages import render_template
from device_console.ui.serving import installed_page

router = APIRouter(tags=["login"])
MAX_LOGIN_BODY = 16 * 1024  # the login is reachable without a session: never read a big body
protected = APIRouter(tags=["login"], dependencies=[Depends(require_session)])


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


BUILTIN = "/builtin"


def _page(console: Console, name: str, request: Request, builtin: bool = False) -> HTMLResponse:
    token = page_csrf_token(request, console)
    if not builtin:
        page = installed_page(console.settings.state_dir, name, token)
        if page is not None:
            return page
    return render_template(console.settings.templates_dir, name, token)


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


def _home_or_login(request: Request, console: Console, builtin: bool = False) -> Response:
    epwd = request.query_params.get("epwd")
    if epwd is not None:
        blocked = _throttled(console, request)
        if blocked is not None:
            return blocked
        if _check_password(console, request, epwd):
            home = f"{BUILTIN}/home" if builtin else "/home"
            response = RedirectResponse(home, status_code=303, headers={"Cache-Control": "no-store"})
            set_token_cookie(request, response, console.tokens.issue(), console.settings.token_ttl_s)
            return response
        return _page(console, "login.html", request, builtin)
    if is_logged_in(request, console):
        return _page(console, "index.html", request, builtin)
    return _page(console, "login.html", request, builtin)


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
    return _page(console, "login.html", request)


@router.get(f"{BUILTIN}/", response_class=HTMLResponse, summary="The built-in console, whichever UI is active")
def builtin_index(request: Request, console: ConsoleDep) -> Response:
    return _home_or_login(request, console, builtin=True)


@router.get(f"{BUILTIN}/home", response_class=HTMLResponse, summary="Same as /builtin/")
def builtin_home(request: Request, console: ConsoleDep) -> Response:
    return _home_or_login(request, console, builtin=True)


@router.get(f"{BUILTIN}/login", response_class=HTMLResponse, summary="The built-in login page")
def builtin_login_page(request: Request, console: ConsoleDep) -> Response:
    if request.query_params.get("epwd") is not None:
        return _home_or_login(request, console, builtin=True)
    return _page(console, "login.html", request, builtin=True)


@router.post("/login", response_model=None,
             openapi_extra=request_body(LoginForm, media_type="application/x-www-form-urlencoded"))
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


def _logout(request: Request, console: Console, builtin: bool = False) -> Response:
    token = request.cookies.get(TOKEN_COOKIE)
    console.tokens.revoke(token)
    if token:
        console.drive.end_session(token)  # a car this session was driving stops
    response = _page(console, "login.html", request, builtin)
    clear_token_cookie(request, response)
    return response


@router.get("/logout", response_class=HTMLResponse)
def logout(request: Request, console: ConsoleDep) -> Response:
    return _logout(request, console)


@router.get(f"{BUILTIN}/logout", response_class=HTMLResponse)
def builtin_logout(request: Request, console: ConsoleDep) -> Response:
    return _logout(request, console, builtin=True)


@router.api_route("/redirect_login", methods=["GET", "POST"], response_class=HTMLResponse)
def redirect_login(request: Request, console: ConsoleDep) -> Response:
    return _logout(request, console)


@router.get("/favicon.ico", include_in_schema=False, response_model=None)
def favicon(console: ConsoleDep) -> Response:
    static = console.settings.static_dir
    candidates = [(static / "favicon.ico", "image/x-icon"), (static / "img" / "favicon.ico", "image/x-icon"),
                  (static / "img" / "favicon.svg", "image/svg+xml")]
    installed = active_ui(console.settings.state_dir)
    if installed is not None:  # the installed UI's icon (nginx served it from the UI folder)
        candidates[:0] = [(installed.root / "favicon.ico", "image/x-icon"),
                          (installed.static / "favicon.ico", "image/x-icon")]
    for path, media_type in candidates:
        if path.is_file():
            return FileResponse(path, media_type=media_type)
    return Response(status_code=404)


@protected.api_route("/api/password", methods=["GET", "POST"])
async def change_password(body: ConsolePassword, request: Request, console: ConsoleDep,
                          token: SessionDep) -> dict[str, Any]:
    """`{"old_password", "new_password"}`; other sessions are logged out on success."""
    old, new = body.old_password, body.new_password
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
