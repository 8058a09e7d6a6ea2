"""A bounded schema fuzz (schemathesis) of the console API with the fake car: every operation of
`/api/openapi.json`, with bodies from the published pydantic models, valid and invalid, logged in
with a CSRF token. No answer may be a 5xx, and the car ends stopped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from device_console.core.security import CSRF_COOKIE, TOKEN_COOKIE
from device_console.main import create_app
from tests.console.conftest import ConsoleClient, make_settings
from tests.console.fake_car import FakeCar
from tests.console.models_helper import install_model
from tests.support.ros import wait_until
from tests.usb.fake_nm import FakeNetworkManager

# endless answers, and the routes that end the fuzzer's own session
SKIPPED = {("GET", "/api/update_status"), ("GET", "/logout"), ("GET", "/builtin/logout"), ("GET", "/redirect_login"),
           ("POST", "/redirect_login")}
EXAMPLES = {GenerationMode.POSITIVE: 7, GenerationMode.NEGATIVE: 4}


@pytest.fixture
def fuzz_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, FakeCar]]:
    nm = FakeNetworkManager(tmp_path / "fake-nm")
    for key, value in nm.env().items():
        monkeypatch.setenv(key, value)
    car = FakeCar()
    settings_ = make_settings(tmp_path)
    install_model(settings_.artifacts_dir, "Sample_model")
    yield create_app(settings_, car), car


def test_the_api_schema_publishes_every_json_body(client: ConsoleClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path, method, field in (("/api/manual_drive", "put", "max_speed"), ("/api/set_led_color", "post", "red"),
                                ("/api/set_calibration/{kind}", "post", "polarity"),
                                ("/api/wifi_reset", "post", "wifi_name"), ("/api/deleteModels", "post", "filenames"),
                                ("/api/drive_mode", "post", "drive_mode"), ("/api/start_stop", "put", "start_stop")):
        body = paths[path][method]["requestBody"]["content"]["application/json"]["schema"]
        assert field in body["properties"], (path, body)
    upload = paths["/api/uploadModels"]["put"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    assert "application/x-www-form-urlencoded" in paths["/login"]["post"]["requestBody"]["content"]


def test_schema_fuzz_finds_no_server_error_and_leaves_the_car_stopped(fuzz_env: tuple[Any, FakeCar]) -> None:
    app, car = fuzz_env
    with TestClient(app) as http:  # runs the app's lifespan (the manual-drive watchdog)
        client = ConsoleClient(http)
        assert client.login().json() == {"redirect": "/home"}
        raw_schema = client.get("/api/openapi.json").json()
        schema = schemathesis.openapi.from_dict(raw_schema)
        cookies = {TOKEN_COOKIE: http.cookies[TOKEN_COOKIE], CSRF_COOKIE: http.cookies[CSRF_COOKIE]}
        headers = {"X-CSRFToken": client.csrf}
        answers: list[tuple[str, str, int]] = []

        def call(case: Any) -> None:
            kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
            kwargs.pop("cookies", None)
            for name, value in cookies.items():
                http.cookies.set(name, value)
            response = http.request(**{k: v for k, v in kwargs.items() if k in (
                "method", "url", "params", "headers", "json", "data", "files", "content")})
            answers.append((case.method, case.path, response.status_code))
            assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text}"

        operations = 0
        for result in schema.get_all_operations():
            operation = result.ok()
            if (operation.method.upper(), operation.path) in SKIPPED:
                continue
            operations += 1
            for mode, count in EXAMPLES.items():
                @settings(max_examples=count, deadline=None, derandomize=True, database=None,
                          suppress_health_check=list(HealthCheck))
                @given(case=operation.as_strategy(generation_mode=mode))
                def fuzz(case: Any) -> None:
                    call(case)

                try:
                    fuzz()
                except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                    assert mode is GenerationMode.NEGATIVE, operation.label
        assert operations > 45
        assert len(answers) > 300
        # the fuzz reached the handlers (not only 4xx from the edge) and drove the car
        assert sum(1 for _m, _p, status in answers if status == 200) > 150
        moving = [c for c in car.drive_commands() if c != (0.0, 0.0)]
        assert moving, "the fuzz never drove the car: the check below would prove nothing"

        # Stop works on whatever state the fuzz left
        for name, value in cookies.items():
            http.cookies.set(name, value)
        assert client.post("/api/start_stop", {"start_stop": "stop"}).json()["success"] is True
        assert car.drive_commands()[-1] == (0.0, 0.0) and car.active is False
        # a last command, then the fuzzing client goes away (logs out): the command does not outlive it
        assert client.put("/api/manual_drive", {"angle": 0.3, "throttle": -0.5, "max_speed": 0.5}).json() == {
            "success": True}
        assert car.drive_commands()[-1] != (0.0, 0.0)
        assert http.get("/redirect_login").status_code == 200
        wait_until(lambda: car.drive_commands()[-1] == (0.0, 0.0), 20.0, "the car stopped after the fuzz")
        assert http.get("/api/server_ready").status_code == 401
