"""Login tokens: several at once, sliding expiry, persisted in token.txt (community format)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from device_console.core.security import TokenStore
from device_console.main import create_app
from tests.console.conftest import ConsoleClient, make_settings
from tests.console.fake_car import FakeCar


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_tokens_slide_and_expire(tmp_path: Path) -> None:
    clock = Clock()
    store = TokenStore(tmp_path / "token.txt", ttl_s=100.0, clock=clock)
    first, second = store.issue(), store.issue()
    clock.now += 90
    assert store.validate(first)  # used: extended to now + 100
    clock.now += 90
    assert store.validate(first)
    assert not store.validate(second)  # unused for 180 s: expired
    clock.now += 101
    assert not store.validate(first)
    assert len(store) == 0


def test_token_file_format_and_reload(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "token.txt"
    store = TokenStore(path, ttl_s=3600.0, clock=clock)
    token = store.issue()
    data = json.loads(path.read_text())
    assert data == {"tokens": [{"token": token, "expires_at": clock.now + 3600.0}]}
    assert path.stat().st_mode & 0o777 == 0o600
    assert TokenStore(path, ttl_s=3600.0, clock=clock).validate(token)
    store.revoke(token)
    assert not TokenStore(path, ttl_s=3600.0, clock=clock).validate(token)


def test_old_single_token_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "token.txt"
    path.write_text("5f0b3b9e-6a8c-4f8e-9d8e-0a1b2c3d4e5f")
    store = TokenStore(path, ttl_s=3600.0)
    assert not store.validate("5f0b3b9e-6a8c-4f8e-9d8e-0a1b2c3d4e5f")
    assert store.validate(store.issue())


def test_the_oldest_token_goes_beyond_the_limit(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "token.txt", ttl_s=3600.0, max_tokens=3)
    tokens = [store.issue() for _ in range(4)]
    assert not store.validate(tokens[0])
    assert all(store.validate(t) for t in tokens[1:])


def test_api_requests_slide_the_cookie(tmp_path: Path) -> None:
    clock = Clock()
    settings = make_settings(tmp_path, token_ttl_s=60.0)
    with TestClient(create_app(settings, FakeCar(), wall_clock=clock)) as http:
        client = ConsoleClient(http)
        client.login()
        for _ in range(3):
            clock.now += 50
            response = client.get("/api/server_ready")
            assert response.status_code == 200
            assert "Max-Age=60" in response.headers["set-cookie"]
        clock.now += 61
        assert client.get("/api/server_ready").status_code == 401
