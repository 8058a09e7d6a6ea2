"""The UI pages carry the CSRF meta tag; assets are served locally under /static without a login."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from device_console.main import create_app
from device_console.ui.pages import render_template
from tests.console.conftest import CSRF_META, ConsoleClient, make_settings
from tests.console.fake_car import FakeCar


def test_templates_get_a_valid_token(anon: ConsoleClient, app) -> None:
    page = anon.get("/login")
    token = CSRF_META.search(page.text).group(1)
    assert app.state.console.csrf.valid(token, anon.http.cookies.get("deepracer_csrf"))
    assert page.headers["cache-control"] == "no-store"


def test_original_template_syntax_is_rendered(tmp_path: Path) -> None:
    (tmp_path / "login.html").write_text('<meta name="csrf-token" content="{{ csrf_token() }}">{{csrf_token()}}')
    body = render_template(tmp_path, "login.html", "1.a.b").body.decode()
    assert body == '<meta name="csrf-token" content="1.a.b">1.a.b'


def test_missing_templates_still_give_a_token(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, templates_dir=tmp_path / "none")
    with TestClient(create_app(settings, FakeCar())) as http:
        assert CSRF_META.search(http.get("/").text)


def test_static_assets_without_login(tmp_path: Path) -> None:
    static = tmp_path / "static"
    (static / "js").mkdir(parents=True)
    (static / "js" / "app.js").write_text("console.log('hi')")
    (static / "img").mkdir()
    (static / "img" / "favicon.svg").write_text("<svg/>")
    settings = make_settings(tmp_path, static_dir=static)
    with TestClient(create_app(settings, FakeCar())) as http:
        response = http.get("/static/js/app.js")
        assert response.status_code == 200 and response.text == "console.log('hi')"
        assert http.get("/favicon.ico").headers["content-type"].startswith("image/svg")
        assert http.get("/static/../state/password.txt").status_code == 404
        assert http.get("/static/%2e%2e/state/password.txt").status_code == 404


def test_the_real_ui_assets_are_served(anon: ConsoleClient, settings) -> None:
    assert (settings.static_dir / "js").is_dir()
    for asset in sorted((settings.static_dir / "js").glob("*.js"))[:3]:
        assert anon.get(f"/static/js/{asset.name}").status_code == 200
