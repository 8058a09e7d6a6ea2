"""Fixtures of the console API tests: the real FastAPI app on a fresh state folder and a fake car."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from device_console.core.config import ConsoleSettings
from device_console.main import create_app
from tests.console.fake_car import FakeCar

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def make_settings(root: Path, **overrides: Any) -> ConsoleSettings:
    state = root / "state"
    dmi = root / "sys" / "class" / "dmi" / "id"
    state.mkdir(parents=True, exist_ok=True)
    dmi.mkdir(parents=True, exist_ok=True)
    values: dict[str, Any] = {"state_dir": state, "dmi_dir": dmi, "hardware_mode": "sim",
                              "syslog_path": root / "syslog"}
    values.update(overrides)
    return ConsoleSettings(**values)


class ConsoleClient:
    """A TestClient plus the CSRF token scraped from a page, as browsers and scripts do."""

    def __init__(self, client: TestClient) -> None:
        self.http = client
        self.csrf = ""

    def fetch_csrf(self, path: str = "/login") -> str:
        page = self.http.get(path)
        match = CSRF_META.search(page.text)
        assert match, f"no csrf meta tag on {path}"
        self.csrf = match.group(1)
        return self.csrf

    def login(self, password: str = "deepracer") -> Any:
        if not self.csrf:
            self.fetch_csrf()
        return self.http.post("/login", data={"password": password}, headers={"X-CSRFToken": self.csrf})

    def headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.csrf}

    def get(self, path: str, **kw: Any) -> Any:
        return self.http.get(path, **kw)

    def send(self, method: str, path: str, json: Any = None, **kw: Any) -> Any:
        headers = {**self.headers(), **kw.pop("headers", {})}
        return self.http.request(method, path, json=json, headers=headers, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.send("POST", path, json, **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.send("PUT", path, json, **kw)


@pytest.fixture
def settings(tmp_path: Path) -> ConsoleSettings:
    return make_settings(tmp_path)


@pytest.fixture
def car() -> FakeCar:
    return FakeCar()


@pytest.fixture
def app_services() -> dict[str, Any]:
    """Extra services for create_app (tests override e.g. network or system)."""
    return {}


@pytest.fixture
def app(settings: ConsoleSettings, car: FakeCar, app_services: dict[str, Any]) -> Any:
    return create_app(settings, car, **app_services)


@pytest.fixture
def anon(app: Any) -> Iterator[ConsoleClient]:
    """A client that has not logged in (but holds a CSRF token)."""
    with TestClient(app) as client:
        console_client = ConsoleClient(client)
        console_client.fetch_csrf()
        yield console_client


@pytest.fixture
def client(anon: ConsoleClient) -> ConsoleClient:
    """A logged-in client with a CSRF token."""
    response = anon.login()
    assert response.json() == {"redirect": "/home"}
    return anon
