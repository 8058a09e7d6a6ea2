"""The `deepracer_token` cookie as the original sets it (readable by the page's JavaScript), and what
keeps the session safe now that a script can read it: a strict Content-Security-Policy on our own UI
(whose code never writes car strings as HTML), `no-store` on JSON answers, CSRF (test_csrf_binding)."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from pathlib import Path

import httpx

from device_console.core.tls import generate_certificate
from device_console.main import create_app
from device_console.ui.pages import STRICT_CSP, render_template
from tests.console.conftest import CSRF_META, ConsoleClient, make_settings
from tests.console.fake_car import FakeCar
from tests.console.live_server import LiveServer

PACKAGE = Path(__file__).resolve().parents[2] / "device_console"


def token_cookie(set_cookie_headers: list[str]) -> SimpleCookie:
    for value in set_cookie_headers:
        if value.startswith("deepracer_token="):
            jar: SimpleCookie = SimpleCookie()
            jar.load(value)
            return jar
    raise AssertionError(f"no deepracer_token cookie in {set_cookie_headers}")


def test_the_login_cookie_is_readable_by_javascript(anon: ConsoleClient) -> None:
    response = anon.login()
    cookie = token_cookie(response.headers.get_list("set-cookie"))["deepracer_token"]
    assert cookie.value and not cookie["httponly"]
    assert cookie["path"] == "/" and cookie["samesite"].lower() == "lax"
    assert not cookie["secure"]  # plain HTTP here; HTTPS below
    # the sliding refresh (/auth, as the original's; API answers at most every ttl/10) sets it the same way
    refreshed = token_cookie(anon.get("/auth").headers.get_list("set-cookie"))["deepracer_token"]
    assert not refreshed["httponly"] and refreshed.value == cookie.value


def test_redirect_login_clears_the_cookie(client: ConsoleClient) -> None:
    assert client.get("/api/server_ready").status_code == 200
    answer = client.get("/redirect_login")
    cleared = token_cookie(answer.headers.get_list("set-cookie"))["deepracer_token"]
    assert cleared["max-age"] == "0" and cleared["path"] == "/"
    assert "deepracer_token" not in client.http.cookies
    assert client.get("/api/server_ready").status_code == 401


def test_the_cookie_is_secure_over_https(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    certs = generate_certificate(settings.certs_dir, addresses=["127.0.0.1"])
    with LiveServer(create_app(settings, FakeCar()), certs=certs) as server:
        with httpx.Client(base_url=server.url, verify=str(certs[0])) as http:
            csrf = CSRF_META.search(http.get("/login").text).group(1)
            login = http.post("/login", data={"password": "deepracer"}, headers={"X-CSRFToken": csrf})
            cookie = token_cookie(login.headers.get_list("set-cookie"))["deepracer_token"]
            assert cookie["secure"] and not cookie["httponly"] and cookie["path"] == "/"


def test_our_pages_carry_a_strict_csp(anon: ConsoleClient) -> None:
    for path in ("/", "/login", "/home", "/logout"):
        csp = anon.get(path).headers["content-security-policy"]
        assert csp == STRICT_CSP
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in csp
    anon.login()
    assert anon.get("/home").headers["content-security-policy"] == STRICT_CSP


def test_other_template_folders_get_no_csp_unless_asked(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<script>inline()</script>{{ csrf_token() }}")
    assert "content-security-policy" not in render_template(tmp_path, "index.html", "t").headers
    strict = render_template(tmp_path, "index.html", "t", csp=STRICT_CSP)
    assert strict.headers["content-security-policy"] == STRICT_CSP


def test_json_answers_are_not_stored(client: ConsoleClient) -> None:
    for path in ("/api/get_battery_level", "/api/models", "/api/get_network_details", "/api/logs/SYS/5"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store", path
    # refusals too
    assert client.put("/api/manual_drive", {"angle": 9}).headers["cache-control"] == "no-store"
    assert client.http.put("/api/manual_drive", json={}).headers["cache-control"] == "no-store"  # no CSRF
    # streams keep their own headers
    assert client.get("/static/js/app.js").headers.get("cache-control") != "no-store"


def test_our_ui_code_has_no_inline_script_and_writes_text_as_text() -> None:
    templates = list((PACKAGE / "templates").glob("*.html"))
    assert templates
    for page in templates:
        text = page.read_text()
        for script in re.findall(r"<script\b[^>]*>(.*?)</script>", text, re.S):
            assert script.strip() == "", f"inline script in {page.name}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {page.name}"
        assert not re.search(r"\sstyle\s*=", text), f"inline style in {page.name}"
        assert "<style" not in text
    scripts = list((PACKAGE / "static" / "js").rglob("*.js"))
    assert len(scripts) > 5
    for script in scripts:
        text = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                     "new Function", "setAttribute('style'", 'setAttribute("style"'):
            assert sink not in text, f"{script.name} uses {sink}"
