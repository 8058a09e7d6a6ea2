"""The device console application factory.

    app = create_app(settings, car)          # car: anything implementing device_console.car.Car

The HTTP layer has no ROS in it: the ROS bridge node (webserver_pkg.webserver_publisher_node)
implements `Car`, tests pass a fake. Every route outside the login flow requires the login cookie
(`require_session` on each router); every POST/PUT/PATCH/DELETE requires a CSRF header valid for the
browser's `deepracer_csrf` cookie (`CsrfMiddleware`). In front of everything, `device_console.edge`
merges repeated slashes and caps request bodies.
"""

from __future__ import annotations

import json
import logging
import threading
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIWebSocketRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from device_console.auth import CsrfTokens, LoginThrottle, PasswordStore, TokenStore
from device_console.car import Car, CarError
from device_console.config import ConsoleSettings
from device_console.deps import FieldError, require_session
from device_console.drive_settings import load_legacy_hold
from device_console.drive_supervisor import CALIBRATION, DriveSupervisor
from device_console.edge import (
    BodyLimit,
    PathNormalizer,
    add_headers,
    bind_csrf,
    csrf_problem,
    csrf_set_cookie,
    is_json,
)
from device_console.logs import LogSources
from device_console.model_store import ModelStore
from device_console.routes import (
    auth,
    calibration,
    console_ui,
    control,
    device,
    drive_ws,
    models,
    software_update,
    stream,
    system,
)
from device_console.services import Console, Network, default_network
from device_console.system import HostSystem, SimulatedSystem, System
from device_console.ui_serving import BuiltinStaticFiles, UiStaticFiles
from device_console.upload import clean_stale_uploads

log = logging.getLogger("device_console")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
]


class CsrfMiddleware:
    """Refuse unsafe methods without a valid `X-CSRFToken` / `X-CSRF-Token` for this browser (its
    `deepracer_csrf` cookie); add security headers, `Cache-Control: no-store` on JSON answers, and
    the CSRF cookie when a page issued this browser's first token."""

    def __init__(self, app: ASGIApp, csrf: CsrfTokens) -> None:
        self.app = app
        self.csrf = csrf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        bind_csrf(scope)
        if scope["method"] in UNSAFE_METHODS:
            reason = csrf_problem(self.csrf, scope)
            if reason is not None:
                body = json.dumps({"success": False, "reason": reason}).encode()
                await send({"type": "http.response.start", "status": 403, "headers": [
                    (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"), *SECURITY_HEADERS]})
                await send({"type": "http.response.body", "body": body})
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = list(SECURITY_HEADERS)
                if is_json(message):
                    extra.append((b"cache-control", b"no-store"))
                cookie = csrf_set_cookie(scope)
                if cookie is not None:
                    message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
                add_headers(message, extra)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class WatchdogThread:
    """Runs `DriveSupervisor.tick()` every `period` s in its own thread (independent of the event loop)."""

    def __init__(self, check: Callable[[], Any], period: float) -> None:
        self._check = check
        self._period = period
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="manual-drive-watchdog", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            try:
                self._check()
            except Exception:  # keep watching whatever happens
                log.exception("manual drive watchdog")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)


def build_console(settings: ConsoleSettings, car: Car, *, system: System | None = None,
                  network: Network | None = None, models: ModelStore | None = None,
                  wall_clock: Callable[[], float] | None = None,
                  monotonic: Callable[[], float] | None = None) -> Console:
    import time

    wall = wall_clock or time.time
    mono = monotonic or time.monotonic
    passwords = PasswordStore(settings.password_file, settings.dmi_dir)
    passwords.ensure()
    for leftover in clean_stale_uploads(settings.upload_tmp_dir):  # a console killed mid-upload
        log.warning("removed an unfinished upload: %s", leftover)
    if system is None:
        system = SimulatedSystem(settings.console_state_file) if settings.simulated else HostSystem()
    console = Console(
        settings=settings,
        car=car,
        passwords=passwords,
        tokens=TokenStore(settings.token_file, settings.token_ttl_s, settings.max_tokens, clock=wall),
        throttle=LoginThrottle(settings.login_free_attempts, settings.login_base_delay_s,
                               settings.login_max_delay_s, clock=mono),
        csrf=CsrfTokens(settings.secret_file, settings.csrf_ttl_s, clock=wall),
        drive=drive_supervisor(settings, car, mono),
        system=system,
        network=network if network is not None else default_network(),
        models=models or ModelStore(settings.artifacts_dir),
        logs=LogSources(settings.syslog_path, settings.logs_dir, settings.max_log_lines, simulated=settings.simulated),
    )
    return console


def drive_supervisor(settings: ConsoleSettings, car: Car, clock: Callable[[], float]) -> DriveSupervisor:
    def publish(channel: str, angle: float, throttle: float) -> None:
        if channel == CALIBRATION:
            car.publish_calibration_drive(angle, throttle)
        else:
            car.publish_manual_drive(angle, throttle)

    return DriveSupervisor(
        publish, clock=clock, strict_timeout_s=settings.manual_drive_timeout_s,
        legacy_hold_s=load_legacy_hold(settings.drive_settings_file, settings.legacy_drive_hold_s),
        republish_period_s=settings.drive_republish_period_s, stream_stall_s=settings.stream_stall_s)


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    kind: str  # "http", "websocket" or "mount"
    endpoint: Any = None


def route_table(app: FastAPI) -> list[RouteInfo]:
    """Every route the app serves, with included routers flattened."""
    try:
        from fastapi.routing import iter_route_contexts

        contexts: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:  # older FastAPI: included routes are plain entries of app.routes
        contexts = list(app.routes)
    table = []
    for ctx in contexts:
        path = getattr(ctx, "path", None)
        if path is None:
            continue
        original = getattr(ctx, "original_route", ctx)
        if isinstance(original, Mount):
            table.append(RouteInfo(path, frozenset({"GET"}), "mount"))
        elif isinstance(original, APIWebSocketRoute | WebSocketRoute):
            table.append(RouteInfo(path, frozenset(), "websocket", getattr(ctx, "endpoint", None)))
        else:
            table.append(RouteInfo(path, frozenset(getattr(ctx, "methods", None) or ()), "http",
                                   getattr(ctx, "endpoint", None)))
    return table


def _json_error(status: int, reason: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"success": False, "reason": reason}, status_code=status, headers=headers)


def create_app(settings: ConsoleSettings | None = None, car: Car | None = None, *,
               console: Console | None = None, run_watchdog: bool = True, **services: Any) -> FastAPI:
    """Build the console app. Pass `car` (and optionally system/network/models/clocks) or a ready `console`."""
    if console is None:
        if car is None:
            raise ValueError("create_app needs a car (the ROS bridge or a fake)")
        console = build_console(settings or ConsoleSettings.from_env(), car, **services)
    the_console = console

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        watchdog = WatchdogThread(the_console.drive.tick, the_console.settings.watchdog_period_s)
        if run_watchdog:
            watchdog.start()
        try:
            yield
        finally:
            watchdog.stop()
            if the_console.drive.engaged:
                the_console.stop_car("the console is stopping")

    app = FastAPI(title="AWS DeepRacer device console", version="2.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.console = the_console

    @app.get("/api/openapi.json", include_in_schema=False, dependencies=[Depends(require_session)])
    def openapi() -> dict[str, Any]:
        """The API description (behind the login like every other API route)."""
        if app.openapi_schema is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # multi-method routes share one id...
                schema = app.openapi()
            seen: set[str] = set()
            for methods in schema.get("paths", {}).values():
                for method, operation in methods.items():
                    op_id = operation.get("operationId")
                    if op_id in seen:  # ...so give each method its own
                        operation["operationId"] = f"{op_id}_{method}"
                    seen.add(operation.get("operationId"))
        return app.openapi_schema or {}

    @app.exception_handler(CarError)
    async def car_error(_request: Request, exc: CarError) -> JSONResponse:
        log.warning("vehicle: %s", exc)
        return _json_error(200, str(exc) or "Error")

    @app.exception_handler(FieldError)
    async def field_error(_request: Request, exc: FieldError) -> JSONResponse:
        return _json_error(200, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _json_error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
        return _json_error(400, f"{where}: {first.get('msg', 'invalid request')}".strip(": "))

    for module in (auth, control, calibration, models, device, system, stream, console_ui, drive_ws,
                   software_update):
        app.include_router(module.router)
    app.include_router(auth.protected)
    # /static/: the active UI's assets (an installed UI's, else ours); /builtin/static/: always ours
    static_dir, state_dir = the_console.settings.static_dir, the_console.settings.state_dir
    app.mount("/static", UiStaticFiles(static_dir, state_dir), name="static")
    app.mount("/builtin/static", BuiltinStaticFiles(static_dir), name="builtin-static")
    app.add_middleware(BodyLimit)
    app.add_middleware(CsrfMiddleware, csrf=the_console.csrf)
    app.add_middleware(PathNormalizer)  # keep last: the outermost edge (merged slashes for everything)
    return app
