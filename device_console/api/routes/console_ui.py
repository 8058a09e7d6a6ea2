"""Which console UI the car serves: `GET /api/console_ui`, `POST /api/console_ui {"ui": ...}`.

`{"ui": "builtin"}` sets an installed UI aside and serves the built-in one again; `{"ui":
"installed"}` switches back to the UI that was set aside. Installing a UI is done on the car
(`deepracer console-ui install DIR|ARCHIVE`), not through the browser. The built-in UI is always
reachable at `/builtin/`, even while another UI is active (its Settings page has this switch).
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends

from device_console.api.answers import fail, ok
from device_console.api.bodies import ConsoleUi
from device_console.api.deps import ConsoleDep, require_session
from device_console.console import Console
from device_console.ui import bundle as ui_bundle

router = APIRouter(tags=["console UI"], dependencies=[Depends(require_session)])
BUILTIN_URL = "/builtin/"


def _status(console: Console) -> dict[str, Any]:
    return ok(builtin_url=BUILTIN_URL, **ui_bundle.ui_status(console.settings.state_dir))


@router.get("/api/console_ui")
def console_ui_status(console: ConsoleDep) -> dict[str, Any]:
    """`{"active": "builtin"|"installed", "installed": {...}|null, "inactive": {...}|null, "builtin_url"}`."""
    return _status(console)


@router.post("/api/console_ui")
async def switch_console_ui(body: ConsoleUi, console: ConsoleDep) -> dict[str, Any]:
    """`{"ui": "builtin"}` or `{"ui": "installed"}`; answers the new status."""
    choice = body.ui
    state = console.settings.state_dir
    try:
        if choice == "builtin":
            await anyio.to_thread.run_sync(ui_bundle.use_builtin, state)
        elif not ui_bundle.is_active(state):
            await anyio.to_thread.run_sync(ui_bundle.reactivate, state)
    except ui_bundle.UiBundleError as exc:
        return fail(str(exc))
    return _status(console)
