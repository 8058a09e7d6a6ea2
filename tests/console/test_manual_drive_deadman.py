"""Who may keep the car moving, through the console's routes (fake car; the real stack is in
tests/console/test_drive_hold.py): our UI's dead-man (heartbeat route or drive WebSocket), the
held command of clients written for the original car, the drive settings, and a failure when the
car's control node is not there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from device_console.main import create_app
from tests.console.conftest import ConsoleClient, make_settings
from tests.console.fake_car import FakeCar
from tests.support.ros import wait_until

FULL_AHEAD = {"angle": 0, "throttle": -1, "max_speed": 1}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def advance(app, clock: Clock, seconds: float, step: float = 0.05) -> list[str]:
    """Move the fake clock, ticking the drive supervisor as the watchdog thread does."""
    stops = []
    end = clock.now + seconds
    while clock.now < end - 1e-9:
        clock.now = round(clock.now + step, 6)
        reason = app.state.console.drive.tick()
        if reason:
            stops.append(reason)
    return stops


@pytest.fixture
def faked(tmp_path: Path):
    """(app, client, car, clock): the app with a fake monotonic clock and no watchdog thread."""
    clock = Clock()
    car = FakeCar()
    app = create_app(make_settings(tmp_path), car, monotonic=clock, run_watchdog=False)
    with TestClient(app) as http:
        client = ConsoleClient(http)
        client.login()
        yield app, client, car, clock


def test_the_app_stops_a_silent_strict_driver(tmp_path: Path) -> None:
    car = FakeCar()
    settings = make_settings(tmp_path, manual_drive_timeout_s=0.2, watchdog_period_s=0.02)
    with TestClient(create_app(settings, car)) as http:
        client = ConsoleClient(http)
        client.login()
        assert client.post("/api/manual_drive/heartbeat").json()["success"]  # our UI: strict
        assert client.put("/api/manual_drive", FULL_AHEAD).json()["success"]
        moving = car.drive_commands()[0]
        assert moving[1] > 0
        wait_until(lambda: car.drive_commands()[-1] == (0.0, 0.0), timeout=5, what="the dead-man stop")
        assert car.drive_changes() == [moving, (0.0, 0.0)]


def test_heartbeat_route_keeps_the_driver_alive(faked) -> None:
    app, client, car, clock = faked
    client.post("/api/manual_drive/heartbeat")
    client.put("/api/manual_drive", FULL_AHEAD)
    assert advance(app, clock, 0.4) == []
    assert client.post("/api/manual_drive/heartbeat").json() == {"success": True, "engaged": True, "timeout": 0.5}
    assert advance(app, clock, 0.45) == []
    # a steady stick sends only heartbeats: the console repeats the command for the servo watchdog
    assert car.drive_commands()[-1][1] > 0 and len(car.drive_commands()) >= 8
    stops = advance(app, clock, 0.2)
    assert len(stops) == 1 and "heartbeat" in stops[0]
    assert car.drive_commands()[-1] == (0.0, 0.0)
    assert client.post("/api/manual_drive/heartbeat").json()["engaged"] is False


def test_a_client_of_the_original_car_is_held_while_its_session_lives(faked) -> None:
    app, client, car, clock = faked
    # one command, then a steady stick: the original car holds it; ours too, while the session lives
    assert client.put("/api/manual_drive", FULL_AHEAD).json() == {"success": True}
    assert advance(app, clock, 10.0) == []
    assert car.drive_commands()[-1][1] > 0 and len(car.drive_commands()) > 90
    assert client.get("/api/get_battery_level").json()["success"]  # any request is a sign of life
    assert advance(app, clock, 14.9) == []
    stops = advance(app, clock, 0.3)
    assert len(stops) == 1 and "no request" in stops[0]
    assert car.drive_commands()[-1] == (0.0, 0.0)


def test_stop_and_logout_end_a_held_command(faked) -> None:
    app, client, car, clock = faked
    client.put("/api/manual_drive", FULL_AHEAD)
    assert client.post("/api/start_stop", {"start_stop": "stop"}).json() == {"success": True}
    assert advance(app, clock, 1.0) == [] and car.drive_commands()[-1] == (0.0, 0.0)
    client.put("/api/manual_drive", FULL_AHEAD)
    client.get("/logout")
    assert car.drive_commands()[-1] == (0.0, 0.0)
    assert not app.state.console.drive.engaged


def test_manual_drive_fails_when_the_control_node_is_not_running(faked) -> None:
    app, client, car, clock = faked
    client.put("/api/manual_drive", FULL_AHEAD)
    car.listeners["manual"] = 0  # nothing subscribes /webserver_pkg/manual_drive: ctrl_pkg is down
    answer = client.put("/api/manual_drive", {"angle": 0, "throttle": -0.5, "max_speed": 1}).json()
    assert answer["success"] is False and "control node" in answer["reason"]
    assert car.drive_commands()[-1] == (0.0, 0.0)  # nothing new sent; the earlier command is not held
    assert not app.state.console.drive.engaged
    car.listeners["manual"] = 1
    assert client.put("/api/manual_drive", FULL_AHEAD).json() == {"success": True}


def test_console_shutdown_stops_a_moving_car(tmp_path: Path) -> None:
    car = FakeCar()
    app = create_app(make_settings(tmp_path), car, run_watchdog=False)
    with TestClient(app) as http:
        client = ConsoleClient(http)
        client.login()
        client.put("/api/manual_drive", FULL_AHEAD)
    assert car.drive_commands()[-1] == (0.0, 0.0)


# -- the WebSocket drive channel ------------------------------------------------------------------------
def test_drive_over_the_websocket_and_stop_when_it_closes(faked) -> None:
    app, client, car, clock = faked
    with client.http.websocket_connect(f"/api/manual_drive/ws?csrf={client.csrf}") as ws:
        assert ws.receive_json() == {"type": "ready", "timeout": 0.5, "engaged": False}
        ws.send_json({"type": "drive", **FULL_AHEAD})
        assert ws.receive_json() == {"type": "drive", "success": True}
        assert car.drive_commands()[-1][1] == pytest.approx(-1.2 * 0.64 + 2.2 * 0.8)  # the HTTP route's maths
        for _ in range(5):
            assert advance(app, clock, 0.3) == []
            ws.send_json({"type": "heartbeat"})
            assert ws.receive_json() == {"type": "heartbeat", "engaged": True}
        ws.send_json({"type": "drive", "angle": 2, "throttle": 0, "max_speed": 1})
        assert ws.receive_json() == {"type": "drive", "success": False, "reason": "angle out of range"}
        ws.send_text("not json")
        assert ws.receive_json()["success"] is False
        assert car.drive_commands()[-1][1] > 0
    # the page went away: stopped at once, before any tick
    assert car.drive_commands()[-1] == (0.0, 0.0)
    assert app.state.console.drive.stops == 1


def test_a_silent_websocket_driver_hits_the_dead_man(faked) -> None:
    app, client, car, clock = faked
    with client.http.websocket_connect(f"/api/manual_drive/ws?csrf={client.csrf}") as ws:
        ws.receive_json()
        ws.send_json({"type": "drive", **FULL_AHEAD})
        ws.receive_json()
        stops = advance(app, clock, 0.6)
        assert len(stops) == 1 and car.drive_commands()[-1] == (0.0, 0.0)
        ws.send_json({"type": "heartbeat"})
        assert ws.receive_json() == {"type": "heartbeat", "engaged": False}  # the page resends to drive on


def test_websocket_token_in_the_first_message(faked) -> None:
    app, client, car, clock = faked
    with client.http.websocket_connect("/api/manual_drive/ws") as ws:
        ws.send_json({"type": "hello", "csrf": client.csrf})
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"type": "drive", **FULL_AHEAD})
        assert ws.receive_json()["success"] is True


def test_websocket_closes_when_the_session_logs_out(faked) -> None:
    app, client, car, clock = faked
    with client.http.websocket_connect(f"/api/manual_drive/ws?csrf={client.csrf}") as ws:
        ws.receive_json()
        ws.send_json({"type": "drive", **FULL_AHEAD})
        ws.receive_json()
        client.get("/logout")
        assert car.drive_commands()[-1] == (0.0, 0.0)
        ws.send_json({"type": "drive", **FULL_AHEAD})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4401
    assert car.drive_commands()[-1] == (0.0, 0.0)


# -- settings ----------------------------------------------------------------------------------------
def test_legacy_hold_setting_is_validated_saved_and_used(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    clock = Clock()
    car = FakeCar()
    app = create_app(settings, car, monotonic=clock, run_watchdog=False)
    with TestClient(app) as http:
        client = ConsoleClient(http)
        client.login()
        assert client.get("/api/drive_settings").json() == {
            "success": True, "legacy_drive_hold_s": 15.0, "legacy_drive_hold_range_s": [0.5, 60.0],
            "manual_drive_timeout_s": 0.5}
        for bad in (0.4, 61, "x", None, True):
            answer = client.post("/api/drive_settings", {"legacy_drive_hold_s": bad})
            assert answer.status_code == 400 and answer.json()["success"] is False
        assert not settings.drive_settings_file.exists()
        assert client.post("/api/drive_settings", {"legacy_drive_hold_s": 2.5}).json()["legacy_drive_hold_s"] == 2.5
        assert json.loads(settings.drive_settings_file.read_text()) == {"legacy_drive_hold_s": 2.5}
        client.put("/api/manual_drive", FULL_AHEAD)
        assert advance(app, clock, 2.4) == []
        assert len(advance(app, clock, 0.2)) == 1
    # kept across a restart of the console
    with TestClient(create_app(settings, FakeCar())) as http:
        client = ConsoleClient(http)
        client.login()
        assert client.get("/api/drive_settings").json()["legacy_drive_hold_s"] == 2.5


def test_legacy_hold_default_comes_from_console_settings(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, legacy_drive_hold_s=30.0)
    app = create_app(settings, FakeCar(), run_watchdog=False)
    assert app.state.console.drive.legacy_hold_s == 30.0
    with pytest.raises(ValueError, match="0.5 to 60"):
        make_settings(tmp_path, legacy_drive_hold_s=90.0)
    settings.drive_settings_file.write_text("{broken")
    assert create_app(settings, FakeCar()).state.console.drive.legacy_hold_s == 30.0  # unreadable: default
