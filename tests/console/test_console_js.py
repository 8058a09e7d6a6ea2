"""The built-in console's JavaScript, read as source: every module is type-checked (`// @ts-check`;
`make lint` runs tsc over them), only lib/endpoints.js names the car's URLs, and every route it
names is one the console serves (a renamed or removed route fails here, not in a user's browser)."""

from __future__ import annotations

import re
from pathlib import Path

from device_console.api.route_table import route_table
from device_console.main import create_app
from tests.console.conftest import make_settings
from tests.console.fake_car import FakeCar

JS = Path(__file__).resolve().parents[2] / "device_console" / "static" / "js"
ENDPOINTS = JS / "lib" / "endpoints.js"
# A string literal (quotes or a template) that starts with one of the car's paths.
URL_LITERAL = re.compile(r"""['"`](/(?:api|route|login|logout|home|builtin)\b[^'"`]*)['"`]""")


def code_of(module: Path) -> str:
    """The module without its comments (which may well mention routes)."""
    text = re.sub(r"/\*.*?\*/", "", module.read_text(), flags=re.S)
    return re.sub(r"(^|\s)//.*$", "", text, flags=re.M)


def modules() -> list[Path]:
    found = sorted(JS.rglob("*.js"))
    assert len(found) > 20, found
    return found


def test_every_module_is_type_checked() -> None:
    for module in modules():
        assert module.read_text().startswith("// @ts-check\n"), f"{module.relative_to(JS)} has no // @ts-check"


def test_only_the_endpoints_module_names_a_url() -> None:
    for module in modules():
        if module == ENDPOINTS:
            continue
        code = code_of(module)
        assert not URL_LITERAL.findall(code), f"{module.relative_to(JS)} names {URL_LITERAL.findall(code)}"


def _pattern(path: str) -> re.Pattern[str]:
    """A route path of the app ("/api/logs/{log_type}/{num_lines}") as a regex over concrete paths."""
    parts = re.split(r"\{\w+(?::\w+)?\}", path)
    return re.compile("[^/]+".join(re.escape(p) for p in parts) + r"\Z")


def test_every_route_the_endpoints_module_names_is_served(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path), FakeCar())
    served = [_pattern(r.path) for r in route_table(app) if r.kind in ("http", "websocket")]
    named = set(URL_LITERAL.findall(code_of(ENDPOINTS)))
    paths = {re.sub(r"\$\{[^}]*\}", "x", p).split("?")[0] for p in named if p.startswith(("/api/", "/route", "/login"))}
    assert len(paths) > 40, sorted(paths)
    missing = sorted(p for p in paths if not any(s.match(p) for s in served))
    assert missing == [], f"lib/endpoints.js names routes the console does not serve: {missing}"
