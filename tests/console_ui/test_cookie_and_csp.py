"""In headless Chromium, against the console over HTTPS (real uvicorn, fake car): the login cookie is
readable by page JavaScript (UIs written for the original check `document.cookie`), the CSRF cookie
is not; markup injected through strings the car shows (a model name, a Wi-Fi SSID, a log line) is
shown as text and never runs, and the page's Content-Security-Policy blocks inline script even when
markup does get into the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from device_console.core.tls import generate_certificate
from device_console.main import create_app
from tests.console.conftest import make_settings
from tests.console.fake_car import FakeCar
from tests.console.live_server import LiveServer
from tests.console.models_helper import install_model
from tests.console_ui.conftest import LAPTOP, PASSWORD
from tests.support.ros import wait_until
from tests.usb.fake_nm import FakeNetworkManager

pytestmark = [pytest.mark.browser]

MODEL = '<img src=x onerror="window.__pwned=(window.__pwned||0)+1">'
SSID = "<script>window.__pwned=1</script>"
LOG_LINE = '<svg onload="window.__pwned=1"></svg><img src=x onerror="window.__pwned=1">'
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || '')));
"""


@pytest.fixture
def hostile_console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    nm = FakeNetworkManager(tmp_path / "fake-nm")
    nm.state["networks"].append({"ssid": SSID, "password": "", "signal": 90, "security": ""})
    nm.state["connected"] = SSID
    nm.state["devices"][0][2] = "connected"
    nm.save()
    for key, value in nm.env().items():
        monkeypatch.setenv(key, value)
    settings = make_settings(tmp_path)
    install_model(settings.artifacts_dir, MODEL)
    settings.process_logs_dir.mkdir(parents=True, exist_ok=True)
    (settings.process_logs_dir / "core.log").write_text(f"first line\n{LOG_LINE}\nlast line\n")
    certs = generate_certificate(settings.certs_dir, addresses=["127.0.0.1"])
    with LiveServer(create_app(settings, FakeCar()), certs=certs) as server:
        yield server


@pytest.fixture
def context(chromium: Any) -> Iterator[Any]:
    ctx = chromium.new_context(viewport=LAPTOP, ignore_https_errors=True, service_workers="block")
    ctx.set_default_timeout(30_000)
    ctx.add_init_script(WATCH)
    try:
        yield ctx
    finally:
        ctx.close()


def log_in(page: Any, base_url: str) -> None:
    page.goto(base_url + "/login", wait_until="domcontentloaded")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/home**", wait_until="domcontentloaded")
    page.wait_for_selector("#content .page")


def test_the_login_cookie_is_readable_by_page_javascript(context: Any, hostile_console: LiveServer) -> None:
    page = context.new_page()
    log_in(page, hostile_console.url)
    jar = {c["name"]: c for c in context.cookies()}
    token = jar["deepracer_token"]
    assert token["secure"] and not token["httpOnly"] and token["path"] == "/"
    assert jar["deepracer_csrf"]["httpOnly"]
    cookies = dict(part.split("=", 1) for part in page.evaluate("document.cookie").split("; ") if part)
    assert cookies.get("deepracer_token") == token["value"]
    assert "deepracer_csrf" not in cookies  # the CSRF binding stays out of reach of scripts
    # a UI that decides "logged in" from document.cookie sees it across a reload, and the session works
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("#content .page")
    assert "deepracer_token=" in page.evaluate("document.cookie")
    # /redirect_login (what such UIs call on their login page) clears it
    page.goto(hostile_console.url + "/redirect_login", wait_until="domcontentloaded")
    assert "deepracer_token=" not in page.evaluate("document.cookie")


def test_car_strings_are_shown_as_text_and_never_run(context: Any, hostile_console: LiveServer) -> None:
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, hostile_console.url)
    for route, text in (("models", MODEL), ("control", MODEL), ("settings", SSID), ("logs", LOG_LINE)):
        page.goto(f"{hostile_console.url}/home#/{route}", wait_until="domcontentloaded")
        page.wait_for_selector(f"#page-{route}")
        if route == "logs":
            page.select_option("#log-type", "CORE")
        if route == "control":  # the model picker: the name is an <option>'s text
            wait_until(lambda t=text: any(t in o for o in page.eval_on_selector_all(
                "option", "els => els.map(e => e.textContent)")), 15, "the model in the picker")
        else:
            wait_until(lambda t=text: t in page.inner_text("#content"), 15, f"{route} shows the string as text")
        assert page.evaluate("window.__pwned") is None, route
        # the strings did not become elements
        assert page.evaluate("document.querySelectorAll('#content img[src=x], #content script, #content svg[onload]')"
                             ".length") == 0, route
        assert page.evaluate("window.__violations") == [], route  # and our own UI works under the CSP
    # the calibration page too works under the CSP
    page.goto(f"{hostile_console.url}/home#/calibration", wait_until="domcontentloaded")
    page.wait_for_selector("#page-calibration")
    assert page.evaluate("window.__violations") == []
    assert errors == []


def test_the_csp_blocks_inline_script_that_got_into_the_page(context: Any, hostile_console: LiveServer) -> None:
    page = context.new_page()
    response = page.goto(hostile_console.url + "/login", wait_until="domcontentloaded")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.evaluate("""() => {
        const box = document.createElement('div');
        box.innerHTML = '<img src="/static/img/favicon.svg" onload="window.__pwned=1">'
                      + '<img src=x onerror="window.__pwned=2">';
        document.body.append(box);
        const script = document.createElement('script');
        script.textContent = 'window.__pwned = 3';
        document.body.append(script);
    }""")
    wait_until(lambda: len(page.evaluate("window.__violations")) >= 2, 10, "CSP violation reports")
    assert page.evaluate("window.__pwned") is None
    assert any(v.startswith("script-src") for v in page.evaluate("window.__violations"))
