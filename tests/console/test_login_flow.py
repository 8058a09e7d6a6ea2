"""The login flow, wire-compatible with the original: password.txt, /login, /auth, /logout, ?epwd=."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi.testclient import TestClient

from device_console.main import create_app
from tests.console.conftest import CSRF_META, ConsoleClient, make_settings
from tests.console.fake_car import FakeCar


def test_default_password_is_deepracer_without_chassis_asset_tag(anon: ConsoleClient, settings) -> None:
    stored = settings.password_file.read_text()
    assert stored == hashlib.sha224(b"deepracer").hexdigest()
    assert anon.login("wrong").text == "failure"
    response = anon.login("deepracer")
    assert response.status_code == 200
    assert response.json() == {"redirect": "/home"}
    assert response.cookies.get("deepracer_token")


def test_default_password_comes_from_chassis_asset_tag(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    (settings.dmi_dir / "chassis_asset_tag").write_text("  AbCd1234  \nsecond line\n")
    with TestClient(create_app(settings, FakeCar())) as http:
        client = ConsoleClient(http)
        client.fetch_csrf()
        assert settings.password_file.read_text() == hashlib.sha224(b"AbCd1234").hexdigest()
        assert client.login("deepracer").text == "failure"
        assert client.login("AbCd1234").json() == {"redirect": "/home"}


def test_existing_password_file_is_kept(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    settings.password_file.write_text(hashlib.sha224(b"s3cret").hexdigest())
    with TestClient(create_app(settings, FakeCar())) as http:
        client = ConsoleClient(http)
        client.fetch_csrf()
        assert client.login("deepracer").text == "failure"
        assert client.login("s3cret").json() == {"redirect": "/home"}


def test_missing_password_file_fails_and_is_reset_to_default(anon: ConsoleClient, settings) -> None:
    settings.password_file.unlink()
    assert anon.login("deepracer").text == "failure"
    assert settings.password_file.read_text() == hashlib.sha224(b"deepracer").hexdigest()
    assert anon.login("deepracer").json() == {"redirect": "/home"}


def test_login_with_json_or_multipart_and_without_password(anon: ConsoleClient) -> None:
    headers = anon.headers()
    assert anon.http.post("/login", headers=headers).text == "failure"
    assert anon.http.post("/login", files={"password": (None, "deepracer")}, headers=headers).json() == {
        "redirect": "/home"}
    assert anon.http.post("/login", json={"password": "deepracer"}, headers=headers).json() == {"redirect": "/home"}


def test_pages_show_login_until_logged_in(anon: ConsoleClient) -> None:
    for path in ("/", "/home", "/login"):
        page = anon.get(path)
        assert page.status_code == 200
        assert 'id="login-form"' in page.text or "login" in page.text.lower()
        assert CSRF_META.search(page.text)
        assert "{{" not in page.text
    anon.login()
    index = anon.get("/home")
    assert 'id="app"' in index.text or "index" in index.text
    assert CSRF_META.search(index.text)


def test_auth_answers_200_with_cookie_and_401_without(anon: ConsoleClient) -> None:
    assert anon.get("/auth").status_code == 401
    anon.login()
    response = anon.get("/auth")
    assert response.status_code == 200
    assert "deepracer_token=" in response.headers["set-cookie"]
    assert anon.post("/auth").status_code == 200


def test_logout_and_redirect_login_end_the_session(client: ConsoleClient) -> None:
    assert client.get("/api/server_ready").status_code == 200
    token = client.http.cookies.get("deepracer_token")
    page = client.get("/logout")
    assert page.status_code == 200 and CSRF_META.search(page.text)
    assert client.get("/api/server_ready").status_code == 401
    # the old token is revoked on the server, not just removed from this browser
    client.http.cookies.clear()
    client.http.cookies.set("deepracer_token", token)
    assert client.get("/api/server_ready").status_code == 401
    client.fetch_csrf()  # the cookies were cleared: CSRF tokens are bound to the browser's cookie
    assert client.login().json() == {"redirect": "/home"}
    assert client.post("/redirect_login").status_code == 200
    assert client.get("/api/server_ready").status_code == 401


def test_epwd_logs_in_from_the_address(anon: ConsoleClient) -> None:
    wrong = anon.get("/?epwd=nope", follow_redirects=False)
    assert wrong.status_code == 200 and CSRF_META.search(wrong.text)
    assert anon.get("/api/server_ready").status_code == 401
    right = anon.get("/?epwd=deepracer", follow_redirects=False)
    assert right.status_code == 303
    assert right.headers["location"] == "/home"
    assert anon.get("/api/server_ready").json() == {"success": True, "status": True}


def test_several_browsers_stay_logged_in(app) -> None:
    with TestClient(app) as first_http, TestClient(app) as second_http:
        first, second = ConsoleClient(first_http), ConsoleClient(second_http)
        first.login()
        second.login()
        assert first.get("/api/server_ready").status_code == 200
        assert second.get("/api/server_ready").status_code == 200


def test_sessions_survive_a_console_restart(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with TestClient(create_app(settings, FakeCar())) as http:
        client = ConsoleClient(http)
        client.login()
        token = http.cookies.get("deepracer_token")
    with TestClient(create_app(settings, FakeCar())) as http:
        http.cookies.set("deepracer_token", token)
        assert http.get("/api/server_ready").status_code == 200
        http.cookies.clear()
        http.cookies.set("deepracer_token", "forged")
        assert http.get("/api/server_ready").status_code == 401


def test_login_refuses_big_bodies(anon: ConsoleClient) -> None:
    response = anon.http.post("/login", data={"password": "x" * 20000}, headers=anon.headers())
    assert response.status_code == 413
    assert response.text == "failure"
