"""The console's HTTP edge: what happens to a request before any route sees it.

- `PathNormalizer` (outermost): runs of `/` in the path are merged, as nginx (`merge_slashes on`) did
  in front of the original console, so `//login` and `///api/get_battery_level` reach their routes;
  a path with NUL or other control characters is refused (400) before it can reach a file name, a
  command line or a log.
- `BodyLimit`: every route's request body is capped (a few KB for driving and calibration, 64 KB
  elsewhere; the model upload streams to disk under its own 200 MB limit): 413 beyond.
- `CsrfMiddleware`: every POST/PUT/PATCH/DELETE needs a CSRF header valid for the browser's
  `deepracer_csrf` cookie (403 otherwise); security headers and `no-store` on JSON answers.
- CSRF binding (used by `CsrfMiddleware` and the page routes): the browser's `deepracer_csrf`
  cookie, read once per request and set on the answer when a page issued the first token for that
  browser.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from device_console.core.security import CSRF_COOKIE, CSRF_HEADERS, CsrfTokens

_SLASHES = re.compile(r"//+")
_SLASHES_RAW = re.compile(rb"//+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

KB = 1024
CONTROL_BODY_LIMIT = 4 * KB
DEFAULT_BODY_LIMIT = 64 * KB
# (path or path prefix ending in "/", limit in bytes or None = the route enforces its own limit)
BODY_LIMITS: tuple[tuple[str, int | None], ...] = (
    ("/api/uploadModels", None),  # streamed to disk by device_console.upload (max_upload_bytes)
    ("/api/software_update/upload", None),  # a release bundle, streamed to disk (4 GB at most)
    ("/api/manual_drive", CONTROL_BODY_LIMIT),
    ("/api/manual_drive/", CONTROL_BODY_LIMIT),
    ("/api/drive_mode", CONTROL_BODY_LIMIT),
    ("/api/start_stop", CONTROL_BODY_LIMIT),
    ("/api/max_nav_throttle", CONTROL_BODY_LIMIT),
    ("/api/emergency_stop", CONTROL_BODY_LIMIT),
    ("/api/set_calibration/", CONTROL_BODY_LIMIT),
    ("/api/adjust_calibrating_wheels/", CONTROL_BODY_LIMIT),
    ("/api/set_led_color", CONTROL_BODY_LIMIT),
    ("/api/drive_settings", CONTROL_BODY_LIMIT),
    ("/api/console_ui", CONTROL_BODY_LIMIT),
)


def merge_slashes(path: str) -> str:
    return _SLASHES.sub("/", path)


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def body_limit(path: str) -> int | None:
    """The largest request body `path` accepts (None: the route limits it itself)."""
    for prefix, limit in BODY_LIMITS:
        if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
            return limit
    return DEFAULT_BODY_LIMIT


def _json_message(status: int, reason: str) -> tuple[Message, Message]:
    body = json.dumps({"success": False, "reason": reason}).encode()
    start: Message = {"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store")]}
    return start, {"type": "http.response.body", "body": body}


async def send_json_error(send: Send, status: int, reason: str) -> None:
    for message in _json_message(status, reason):
        await send(message)


class PathNormalizer:
    """Merge repeated slashes in `path` and `raw_path` (the query string is not touched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if has_control_characters(path):
            if scope["type"] == "http":
                await send_json_error(send, 400, "The request path contains control characters.")
            else:
                await send({"type": "websocket.close", "code": 1008})
            return
        if "//" in path:
            scope = dict(scope)
            scope["path"] = merge_slashes(path)
            raw = scope.get("raw_path")
            if isinstance(raw, bytes | bytearray):
                scope["raw_path"] = _SLASHES_RAW.sub(b"/", bytes(raw))
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuse request bodies beyond the route's limit with 413, before the route reads them.

    A declared Content-Length over the limit is refused at once; a body without one (chunked) is
    read up to the limit here and handed on to the route as one message.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    def _too_big(limit: int) -> str:
        return f"The request body is larger than the {limit // KB} KB this route accepts."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        if limit is None:
            await self.app(scope, receive, send)
            return
        length: int | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                text = value.decode("latin-1").strip()
                if not text.isdigit() or len(text) > 18:
                    await send_json_error(send, 400, "The Content-Length header is not valid.")
                    return
                length = int(text)
            elif name == b"transfer-encoding":
                chunked = True
        if length is not None and length > limit:
            await send_json_error(send, 413, self._too_big(limit))
            return
        if length is None and not chunked:
            await self.app(scope, receive, send)  # no body
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await send_json_error(send, 413, self._too_big(limit))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


# -- CSRF binding ---------------------------------------------------------------------------------
CSRF_SCOPE_KEY = "deepracer.csrf_binding"


@dataclass
class CsrfBinding:
    """The browser's `deepracer_csrf` cookie for one request; `new` when the answer must set it."""

    value: str | None
    new: bool = False


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def csrf_header(scope: Scope) -> str | None:
    """The token of `X-CSRFToken` or `X-CSRF-Token` (both accepted, as Flask-WTF)."""
    for key, value in scope["headers"]:
        if key.decode("latin-1").lower() in CSRF_HEADERS:
            return str(value.decode("latin-1"))
    return None


def csrf_cookie(scope: Scope) -> str | None:
    cookies = header(scope, b"cookie")
    value = cookie_parser(cookies).get(CSRF_COOKIE) if cookies else None
    return value if CsrfTokens.usable_binding(value) else None


def csrf_problem(csrf: CsrfTokens, scope: Scope, token: str | None = None) -> str | None:
    """Why this request's CSRF token (the header, or `token`) is refused, or None when it is valid.

    For any scope, HTTP or WebSocket: a WebSocket client may pass the token another way.
    """
    return csrf.problem(token if token is not None else csrf_header(scope), csrf_cookie(scope))


def bind_csrf(scope: Scope) -> CsrfBinding:
    """Attach this request's CSRF binding to the scope (done once, by the CSRF middleware)."""
    binding = CsrfBinding(csrf_cookie(scope))
    scope[CSRF_SCOPE_KEY] = binding
    return binding


def issue_csrf_token(scope: Scope, csrf: CsrfTokens) -> str:
    """A token for this browser (for a page's `<meta name="csrf-token">`); the answer sets the
    browser's `deepracer_csrf` cookie if it had none."""
    binding: CsrfBinding | None = scope.get(CSRF_SCOPE_KEY)
    if binding is None:
        binding = bind_csrf(scope)
    if binding.value is None:
        binding.value, binding.new = csrf.new_binding(), True
    return csrf.issue(binding.value)


def csrf_set_cookie(scope: Scope) -> bytes | None:
    """The Set-Cookie header value for a binding made during this request, else None."""
    binding: CsrfBinding | None = scope.get(CSRF_SCOPE_KEY)
    if binding is None or not binding.new or binding.value is None:
        return None
    secure = "; Secure" if scope.get("scheme") in ("https", "wss") else ""
    return f"{CSRF_COOKIE}={binding.value}; HttpOnly; Path=/; SameSite=Lax{secure}".encode("latin-1")


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


def add_headers(message: Message, extra: list[tuple[bytes, bytes]]) -> None:
    """Append headers to an `http.response.start` message unless already present."""
    present = {name.lower() for name, _ in message.get("headers", [])}
    message["headers"] = list(message.get("headers", [])) + [h for h in extra if h[0] not in present]


def is_json(message: Message) -> bool:
    for name, value in message.get("headers", []):
        if name.lower() == b"content-type":
            return bytes(value).split(b";")[0].strip().lower() == b"application/json"
    return False

