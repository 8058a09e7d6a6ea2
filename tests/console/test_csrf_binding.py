"""CSRF tokens are bound to the browser they were issued to (as Flask-WTF binds them to its session
cookie): a token scraped anonymously keeps working after the same client logs in, a token from
another client is refused; both header names of the original are accepted."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from device_console.core.security import CSRF_COOKIE, CsrfTokens
from device_console.core.tls import generate_certificate
from device_console.main import create_app
from tests.console.conftest import CSRF_META, ConsoleClient, make_settings
from tests.console.fake_car import FakeCar
from tests.console.live_server import LiveServer

DRIVE = {"angle": 0.5, "throttle": -0.5, "max_speed": 0.5}


def scrape(http: TestClient | httpx.Client, path: str = "/") -> str:
    return CSRF_META.search(http.get(path).text).group(1)


@pytest.mark.parametrize("header", ["X-CSRFToken", "X-CSRF-Token"])
def test_an_anonymous_token_keeps_working_after_login(app, car: FakeCar, header: str) -> None:
    with TestClient(app) as http:
        token = scrape(http, "/")  # the awsdeepracer_control way: GET / then POST /login
        assert http.post("/login", data={"password": "deepracer"}, headers={header: token}).json() == {
            "redirect": "/home"}
        assert http.put("/api/manual_drive", json=DRIVE, headers={header: token}).json() == {"success": True}
        assert len(car.drive_commands()) == 1
        # a later page gives another token for the same browser; both work
        again = scrape(http, "/home")
        assert again != token
        for t in (token, again):
            assert http.put("/api/manual_drive", json=DRIVE, headers={header: t}).json() == {"success": True}


def test_a_token_from_another_client_is_refused(app, car: FakeCar) -> None:
    with TestClient(app) as victim, TestClient(app) as attacker:
        victim_token = scrape(victim, "/login")
        assert victim.post("/login", data={"password": "deepracer"},
                           headers={"X-CSRFToken": victim_token}).status_code == 200
        attacker_token = scrape(attacker, "/login")  # a valid token... for the attacker's browser
        for header in ("X-CSRFToken", "X-CSRF-Token"):
            refused = victim.put("/api/manual_drive", json=DRIVE, headers={header: attacker_token})
            assert refused.status_code == 403
            assert refused.json() == {"success": False, "reason": "The CSRF tokens do not match."}
        # and the other way round: the victim's token does not work in the attacker's browser
        assert attacker.post("/login", data={"password": "deepracer"},
                             headers={"X-CSRFToken": victim_token}).status_code == 403
        assert car.drive_commands() == []
        # the victim's own token still works (the pipeline is live)
        assert victim.put("/api/manual_drive", json=DRIVE, headers={"X-CSRFToken": victim_token}).json() == {
            "success": True}


def test_a_token_without_its_cookie_is_refused(app) -> None:
    with TestClient(app) as http:
        token = scrape(http, "/login")
        cookie = http.cookies.get(CSRF_COOKIE)
        assert cookie
        http.cookies.delete(CSRF_COOKIE)
        answer = http.post("/login", data={"password": "deepracer"}, headers={"X-CSRFToken": token})
        assert answer.status_code == 403
        assert answer.json()["reason"] == "The CSRF session token is missing."
        http.cookies.set(CSRF_COOKIE, "forged-binding-value-1234")
        assert http.post("/login", data={"password": "deepracer"},
                         headers={"X-CSRFToken": token}).json()["reason"] == "The CSRF tokens do not match."
        http.cookies.set(CSRF_COOKIE, cookie)
        assert http.post("/login", data={"password": "deepracer"},
                         headers={"X-CSRFToken": token}).json() == {"redirect": "/home"}


def test_the_cookie_is_set_once_and_survives_login_and_logout(app) -> None:
    with TestClient(app) as http:
        anon = ConsoleClient(http)
        first = http.get("/login")
        set_cookie = first.headers["set-cookie"]
        assert set_cookie.startswith(f"{CSRF_COOKIE}=")
        assert "HttpOnly" in set_cookie and "Path=/" in set_cookie and "SameSite=Lax" in set_cookie
        assert "Secure" not in set_cookie  # plain HTTP here (HTTPS: below)
        binding = http.cookies.get(CSRF_COOKIE)
        anon.csrf = CSRF_META.search(first.text).group(1)
        # later pages reuse the browser's cookie
        assert "set-cookie" not in http.get("/").headers
        assert anon.login().status_code == 200
        http.get("/logout")
        assert http.cookies.get(CSRF_COOKIE) == binding
        assert anon.login().json() == {"redirect": "/home"}
        # JSON answers never set it
        assert CSRF_COOKIE not in http.get("/api/server_ready").headers.get("set-cookie", "")


def test_the_csrf_cookie_is_secure_over_https(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    certs = generate_certificate(settings.certs_dir, addresses=["127.0.0.1"])
    with LiveServer(create_app(settings, FakeCar()), certs=certs) as server:
        with httpx.Client(base_url=server.url, verify=str(certs[0])) as http:
            cookie = http.get("/login").headers["set-cookie"]
            assert cookie.startswith(f"{CSRF_COOKIE}=") and "Secure" in cookie and "HttpOnly" in cookie


def test_token_checks(tmp_path: Path) -> None:
    now = [1_700_000_000.0]
    tokens = CsrfTokens(tmp_path / "secret", ttl_s=3600.0, clock=lambda: now[0])
    mine, other = tokens.new_binding(), tokens.new_binding()
    token = tokens.issue(mine)
    assert tokens.problem(token, mine) is None
    assert tokens.problem(token, other) == "The CSRF tokens do not match."
    assert tokens.problem(token, None) == "The CSRF session token is missing."
    assert tokens.problem(None, mine) == "The CSRF token is missing."
    assert tokens.problem("1.abc.def", mine) == "The CSRF token is invalid."
    head, signature = token.rsplit(".", 1)
    tampered = f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
    assert tokens.problem(tampered, mine) == "The CSRF token is invalid."
    assert tokens.problem(token, "short") == "The CSRF session token is missing."
    now[0] += 3601
    assert tokens.problem(token, mine) == "The CSRF token has expired."
    # the secret survives a restart: tokens of open pages stay valid
    assert CsrfTokens(tmp_path / "secret", ttl_s=3600.0, clock=lambda: now[0]).problem(
        tokens.issue(mine), mine) is None
