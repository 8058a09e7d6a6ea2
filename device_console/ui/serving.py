"""Serving an installed console UI (device_console/ui/bundle.py) next to the built-in one.

- `installed_page(console, name)`: `templates/<name>` of the active installed UI with the CSRF token
  filled in, or None when the built-in UI is active. These pages get none of the built-in UI's page
  headers beyond `no-store`: a third-party UI brings its own scripts and policies.
- `UiStaticFiles`: `/static/` from the active UI (installed or built-in), decided per request, so
  installing or switching takes effect without a restart. Responses say `Cache-Control: no-cache`
  (revalidate with the ETag): after a switch a browser never runs a cached script of the other UI.
"""

from __future__ import annotations

import html
from pathlib import Path

from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from device_console.ui import bundle as ui_bundle
from device_console.ui.pages import CSRF_PLACEHOLDER

INSTALLED_PAGE_HEADERS = {"Cache-Control": "no-store"}


def installed_page(state_dir: Path, name: str, csrf_token: str, status_code: int = 200) -> HTMLResponse | None:
    ui = ui_bundle.active_ui(state_dir)
    if ui is None:
        return None
    try:
        text = ui.page(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # removed or replaced by hand in the meantime: the built-in page
    # a Flask template only ever gets the token here: the same escaping as the built-in pages
    body = CSRF_PLACEHOLDER.sub(html.escape(csrf_token, quote=True), text)
    return HTMLResponse(body, status_code=status_code, headers=INSTALLED_PAGE_HEADERS)


def _no_cache(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
            headers.append((b"cache-control", b"no-cache"))
            message = {**message, "headers": headers}
        await send(message)

    return wrapped


class UiStaticFiles:
    """`/static/`: the installed UI's `static/` while it is active, else the built-in assets."""

    def __init__(self, builtin_dir: Path, state_dir: Path | None) -> None:
        self.builtin = StaticFiles(directory=builtin_dir, check_dir=False)
        self.state_dir = state_dir
        self.installed_dir = ui_bundle.ui_dir(state_dir) / "static" if state_dir is not None else None
        self.installed = (StaticFiles(directory=self.installed_dir, check_dir=False)
                          if self.installed_dir is not None else None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self.builtin
        if self.state_dir is not None and ui_bundle.is_active(self.state_dir):
            if self.installed is None or self.installed_dir is None or not self.installed_dir.is_dir():
                raise HTTPException(status_code=404)
            app = self.installed
        await app(scope, receive, _no_cache(send))


class BuiltinStaticFiles(UiStaticFiles):
    """`/builtin/static/`: always the built-in assets (the built-in UI under `/builtin/`)."""

    def __init__(self, builtin_dir: Path) -> None:
        super().__init__(builtin_dir, None)
