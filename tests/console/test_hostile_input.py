"""Hostile input gets a 4xx with a clear reason, never a 500, and changes nothing: numbers beyond a
float, NaN/Infinity, deep nesting, infinite stream sizes, absurd line counts, control characters,
oversized bodies (issue 12, "Hostile input that gives 500")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from device_console.api.route_table import route_table
from device_console.core.edge import CONTROL_BODY_LIMIT, DEFAULT_BODY_LIMIT, body_limit
from tests.console.conftest import ConsoleClient
from tests.console.fake_car import FakeCar
from tests.console.test_request_bodies import NOT_JSON
from tests.console.test_route_protection import concrete
from tests.usb.fake_nm import FakeNetworkManager

HUGE = "1" + "0" * 400
# (method, path, JSON body text with {} where the hostile number goes)
NUMBER_FIELDS = [
    ("PUT", "/api/manual_drive", '{"angle": %s, "throttle": 0, "max_speed": 0.5}'),
    ("PUT", "/api/manual_drive", '{"angle": 0, "throttle": %s, "max_speed": 0.5}'),
    ("PUT", "/api/manual_drive", '{"angle": 0, "throttle": 0, "max_speed": %s}'),
    ("PUT", "/api/max_nav_throttle", '{"throttle": %s}'),
    ("PUT", "/api/set_calibration/angle", '{"mid": %s, "min": -30, "max": 30, "polarity": 1}'),
    ("PUT", "/api/set_calibration/throttle", '{"mid": 0, "min": -30, "max": 30, "polarity": %s}'),
    ("PUT", "/api/adjust_calibrating_wheels/angle", '{"pwm": %s}'),
    ("PUT", "/api/adjust_calibrating_wheels/throttle", '{"pwm": %s}'),
    ("POST", "/api/set_led_color", '{"red": %s, "green": 0, "blue": 0}'),
]


@pytest.fixture
def fake_nm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNetworkManager]:
    nm = FakeNetworkManager(tmp_path / "fake-nm")
    for key, value in nm.env().items():
        monkeypatch.setenv(key, value)
    yield nm


def json_routes(app) -> list[tuple[str, str]]:
    return [(method, concrete(route.path)) for route in route_table(app) if route.path not in NOT_JSON
            for method in sorted(route.methods & {"POST", "PUT"})]


def raw(client: ConsoleClient, method: str, path: str, text: str | bytes):
    return client.send(method, path, content=text, headers={"Content-Type": "application/json"})


def assert_refused(response, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and words in body["reason"], body


def test_numbers_beyond_a_float_are_refused(client: ConsoleClient, car: FakeCar) -> None:
    for method, path, template in NUMBER_FIELDS:
        for number in (HUGE, "-" + HUGE, "1e400", "-1e400", "1" + "0" * 3000):
            assert_refused(raw(client, method, path, template % number), 400, "too large")
    assert car.calls == [] and car.published == []


def test_nan_and_infinity_literals_are_not_json(client: ConsoleClient, car: FakeCar) -> None:
    for method, path, template in NUMBER_FIELDS:
        for literal in ("NaN", "Infinity", "-Infinity"):
            assert_refused(raw(client, method, path, template % literal), 400, f"{literal} is not a JSON number")
    assert car.calls == [] and car.published == []


def test_deep_nesting_is_refused_on_every_route_that_reads_json(client: ConsoleClient, car: FakeCar, app) -> None:
    checked = 0
    for method, path in json_routes(app):
        limit = body_limit(path)
        assert limit is not None
        assert_refused(raw(client, method, path, "[" * (limit - 10)), 400, "nested too deeply")
        nested = '{"a": ' * 40 + "1" + "}" * 40
        assert_refused(raw(client, method, path, nested), 400, "nested too deeply")
        assert_refused(raw(client, method, path, "[" * 100_000), 413, "larger than")
        checked += 1
    assert checked >= 15
    # the login reads JSON too (and answers "failure" like the original for any bad body)
    login = raw(client, "POST", "/login", "[" * 10_000)
    assert login.status_code == 200 and login.text == "failure"
    assert car.calls == [] and car.published == []


@pytest.mark.parametrize("query", ["width=inf", "width=-inf", "width=1e400", "height=inf", "quality=inf",
                                   "quality=-1e400", "width=nan"])
def test_stream_sizes_must_be_finite(client: ConsoleClient, query: str) -> None:
    response = client.get(f"/route?topic=/camera_pkg/display_mjpeg&{query}")
    name = query.split("=")[0]
    assert_refused(response, 400, f"{name} must be a whole number")


def test_log_line_counts_beyond_any_count(client: ConsoleClient, settings) -> None:
    settings.process_logs_dir.mkdir(parents=True, exist_ok=True)
    (settings.process_logs_dir / "core.log").write_text("one\ntwo\n")
    assert_refused(client.get("/api/logs/CORE/" + "9" * 5000), 400, "too large")
    assert_refused(client.get("/api/logs/CORE/" + "1" * 19), 400, "too large")
    assert client.get("/api/logs/CORE/" + "9" * 18).json() == {"success": True, "data": "one\ntwo"}
    assert client.get("/api/logs/CORE/00002").json() == {"success": True, "data": "one\ntwo"}
    assert client.get("/api/logs/SYS/١٢").status_code == 404  # not an ASCII number, as Flask's int


def test_control_characters_never_reach_commands_files_or_logs(client: ConsoleClient, car: FakeCar,
                                                                fake_nm: FakeNetworkManager, settings) -> None:
    bodies = [
        ("/api/wifi_reset", {"wifi_name": "a\u0000b", "wifi_password": "Passwd1234"}, "wifi_name"),
        ("/api/wifi_reset", {"wifi_name": "Your-WiFi 100", "wifi_password": "pa\u0000ss"}, "wifi_password"),
        ("/api/wifi_reset", {"wifi_name": "evil\nssid", "wifi_password": ""}, "wifi_name"),
        ("/api/set_timezone", {"timezone": "Europe/Stockholm\u0000"}, "timezone"),
        ("/api/resetSshPassword", {"oldPassword": "deepracer", "newPassword": "new\u0000one"}, "newPassword"),
        ("/api/deleteModels", {"filenames": ["ok", "bad\u001bname"]}, "filenames[1]"),
        ("/api/password", {"old_password": "deepracer", "new_password": "x\u007fy"}, "new_password"),
        ("/api/drive_mode", {"drive_mode": "manual\u0000"}, "drive_mode"),
    ]
    for path, body, field in bodies:
        assert_refused(client.post(path, body), 400, f"{field} must not contain control characters")
    assert fake_nm.connect_calls() == []
    assert car.calls == []
    assert not settings.console_state_file.exists()  # no SSH password or time zone written
    # in the path: refused at the edge before any route
    for method, path in (("PUT", "/api/models/a%00b/model"), ("GET", "/api/logs/SYS%00/10"),
                         ("GET", "/static/js/app.js%00"), ("GET", "/api/get_calibration/angle%0d%0a"),
                         ("GET", "/api/is_model_installed%01")):
        assert_refused(client.send(method, path), 400, "control characters")
    assert client.post("/login", data={"password": "deepracer"}).status_code == 200  # still fine


def test_bodies_are_capped_per_route(client: ConsoleClient, car: FakeCar, app) -> None:
    padding = "x" * CONTROL_BODY_LIMIT
    for path in ("/api/manual_drive", "/api/drive_mode", "/api/start_stop", "/api/max_nav_throttle",
                 "/api/emergency_stop", "/api/adjust_calibrating_wheels/angle", "/api/set_calibration/angle",
                 "/api/set_led_color", "/api/manual_drive/heartbeat"):
        assert body_limit(path) == CONTROL_BODY_LIMIT
        assert_refused(client.post(path, {"angle": 0, "pad": padding}), 413, "4 KB")
    assert car.calls == [] and car.published == []
    # a 20 MB body is refused from its Content-Length, without being read
    assert_refused(raw(client, "PUT", "/api/manual_drive", b" " * 20_000_000), 413, "4 KB")
    # and a body without Content-Length (chunked) is read only up to the limit
    chunks = (b"{" if i == 0 else b" " * 1024 for i in range(64))
    assert_refused(client.send("PUT", "/api/manual_drive", content=chunks), 413, "4 KB")
    # a normal command still drives
    assert client.put("/api/manual_drive", {"angle": 0.5, "throttle": -0.5, "max_speed": 0.5}).json() == {
        "success": True}
    # other JSON routes: 64 KB
    assert body_limit("/api/set_timezone") == DEFAULT_BODY_LIMIT
    assert_refused(client.post("/api/set_timezone", {"timezone": "x" * DEFAULT_BODY_LIMIT}), 413, "64 KB")
    under = client.post("/api/set_timezone", {"timezone": "Europe/Stockholm", "pad": "x" * 60_000})
    assert under.json()["success"] is True
    # the model upload keeps its own (200 MB) limit: a 1 MB file is read and judged on its content
    upload = client.put("/api/uploadModels", files={"file": ("big.tar.gz", b"\0" * 1_000_000)})
    assert upload.status_code == 200 and upload.json()["success"] is False
    assert "larger" not in upload.json()["message"]
