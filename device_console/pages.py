"""Rendering of `templates/index.html` and `templates/login.html`.

The templates are plain HTML files (the UI is served without a build step); the only dynamic part is
the CSRF meta tag, written in the original's Flask syntax `{{ csrf_token() }}`, so the original and
community templates can be dropped in unchanged.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.responses import HTMLResponse

CSRF_PLACEHOLDER = re.compile(r"\{\{\s*csrf_token\(\s*\)\s*\}\}")
NO_STORE = {"Cache-Control": "no-store", "X-Frame-Options": "DENY"}

_FALLBACK = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{{ csrf_token() }}">
<title>AWS DeepRacer vehicle</title></head>
<body><p>The device console page <code>%s</code> is not installed.</p></body></html>
"""


def render_template(templates_dir: Path, name: str, csrf_token: str, status_code: int = 200) -> HTMLResponse:
    try:
        text = (templates_dir / name).read_text(encoding="utf-8")
    except OSError:
        text = _FALLBACK % html.escape(name)
    body = CSRF_PLACEHOLDER.sub(html.escape(csrf_token, quote=True), text)
    return HTMLResponse(body, status_code=status_code, headers=NO_STORE)
