"""The device console application factory.

    app = create_app(settings, car)          # car: anything implementing device_console.car.Car
    app = create_app(console=build_console(settings, car))

The HTTP layer has no ROS in it: the ROS bridge node (webserver_pkg.webserver_publisher_node)
implements `Car`, tests pass a fake. Every route outside the login flow requires the login cookie
(`require_session` on each router); every POST/PUT/PATCH/DELETE requires a CSRF header valid for the
browser's `deepracer_csrf` cookie (`CsrfMiddleware`). In front of everything, `device_console.core.edge`
merges repeated slashes and caps request bodies.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from device_console.api.main import install_api
from device_console.car import Car
from device_console.console import Console, ServiceOverrides, build_console
from device_console.core.config import ConsoleSettings
from device_console.core.edge import BodyLimit, CsrfMiddleware, PathNormalizer
from device_console.driving.watchdog import WatchdogThread
from device_console.ui.serving import BuiltinStaticFiles, UiStaticFiles

if TYPE_CHECKING:
    from typing_extensions import Unpack


def create_app(settings: ConsoleSettings | None = None, car: Car | None = None, *,
               console: Console | None = None, run_watchdog: bool = True,
               **services: Unpack[ServiceOverrides]) -> FastAPI:
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
    install_api(app)
    # /static/: the active UI's assets (an installed UI's, else ours); /builtin/static/: always ours
    static_dir, state_dir = the_console.settings.static_dir, the_console.settings.state_dir
    app.mount("/static", UiStaticFiles(static_dir, state_dir), name="static")
    app.mount("/builtin/static", BuiltinStaticFiles(static_dir), name="builtin-static")
    app.add_middleware(BodyLimit)
    app.add_middleware(CsrfMiddleware, csrf=the_console.csrf)
    app.add_middleware(PathNormalizer)  # keep last: the outermost edge (merged slashes for everything)
    return app
