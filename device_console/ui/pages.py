"""Rendering of `templates/index.html` and `templates/login.html`.

The templates are plain HTML files (the UI is served without a build step); the only dynamic part is
the CSRF meta tag, written in the original's Flask syntax `{{ csrf_token() }}`, so the original and
community templates can be dropped in unchanged.

Our own UI (this package's `templates/` and `static/`) is served with a strict Content-Security-Policy
(`STRICT_CSP`: scripts, styles and connections from the console itself only, no inline script, no
inline event handler, no framing), so a string a user controls (a model name, an SSID, a log line)
can never run as script even if some code wrote it as HTML. Installed third-party UIs were written
with inline scripts and styles: they are served without it unless the caller passes one
(`render_template(..., csp=STRICT_CSP)` or `strict_csp_headers()` for any other answer).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.responses import HTMLResponse

CSRF_PLACEHOLDER = re.compile(r"\{\{\s*csrf_token\(\s*\)\s*\}\}")
NO_STORE = {"Cache-Control": "no-store", "X-Frame-Options": "DENY"}
BUILTIN_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
STRICT_CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "media-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
_AUTO = "auto"


def strict_csp_headers() -> dict[str, str]:
    """The headers of our own UI's pages (merge into any response that serves our HTML)."""
    return {"Content-Security-Policy": STRICT_CSP}


def is_builtin_ui(templates_dir: Path) -> bool:
    try:
        return templates_dir.resolve() == BUILTIN_TEMPLATES
    except OSError:
        return False

_FALLBACK = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{{ csrf_token() }}">
<title>AWS DeepRacer vehicle</title></head>
<body><p>The device console page <code>%s</code> is not installed.</p></body></html>
"""


def render_template(templates_dir: Path, name: str, csrf_token: str, status_code: int = 200,
                    csp: str | None = _AUTO) -> HTMLResponse:
    """The page with its CSRF token filled in. `csp`: the Content-Security-Policy header; by default
    `STRICT_CSP` for the built-in UI and none for another templates folder."""
    if csp == _AUTO:
        csp = STRICT_CSP if is_builtin_ui(templates_dir) else None
    headers = dict(NO_STORE)
    if csp:
        headers["Content-Security-Policy"] = csp
    try:
        text = (templates_dir / name).read_text(encoding="utf-8")
    except OSError:
        text = _FALLBACK % html.escape(name)
    body = CSRF_PLACEHOLDER.sub(html.escape(csrf_token, quote=True), text)
    return HTMLResponse(body, status_code=status_code, headers=headers)
