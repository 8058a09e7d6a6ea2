"""Drive mode, start/stop, max speed %, control modes and the emergency stop."""

from __future__ import annotations

import pytest

from tests.console.conftest import ConsoleClient
from tests.console.fake_car import FakeCar


def test_drive_mode(client: ConsoleClient, car: FakeCar) -> None:
    assert client.post("/api/drive_mode", {"drive_mode": "manual"}).json() == {"success": True}
    assert client.put("/api/drive_mode", {"drive_mode": "auto"}).json() == {"success": True}
    assert car.called("set_vehicle_state") == [0, 1]
    assert client.post("/api/drive_mode", {}).json() == {"success": False, "reason": "drive_mode must be set."}
    assert client.post("/api/drive_mode", {"drive_mode": 3}).json()["success"] is False
    assert car.called("set_vehicle_state") == [0, 1]


def test_start_stop(client: ConsoleClient, car: FakeCar) -> None:
    assert client.post("/api/start_stop", {"start_stop": "start"}).json() == {"success": True}
    assert car.active is True
    assert client.put("/api/start_stop", {"start_stop": "stop"}).json() == {"success": True}
    assert car.active is False
    assert car.drive_commands()[-1] == (0.0, 0.0)  # stopping also zeroes the manual command
    assert client.post("/api/start_stop", {}).json() == {"success": False, "reason": "start_stop must be set."}
    assert car.called("enable_state") == [True, False]


def test_max_nav_throttle(client: ConsoleClient, car: FakeCar) -> None:
    assert client.post("/api/max_nav_throttle", {"throttle": 40}).json() == {"success": True}
    assert car.throttle == pytest.approx(0.4)
    assert client.put("/api/max_nav_throttle", {"throttle": 100}).json() == {"success": True}
    for body, reason in (({}, "throttle is required"), ({"throttle": 101}, "throttle out of range"),
                         ({"throttle": -1}, "throttle out of range"), ({"throttle": "x"}, "throttle must be a number")):
        assert client.post("/api/max_nav_throttle", body).json() == {"success": False, "reason": reason}
    assert car.called("set_autonomous_throttle") == [0.4, 1.0]
    car.unavailable.add("set_autonomous_throttle")
    assert client.post("/api/max_nav_throttle", {"throttle": 10}).json() == {
        "success": False, "reason": "Failed to call the navigation throttle service"}


def test_control_modes_available(client: ConsoleClient) -> None:
    assert client.get("/api/control_modes_available").json() == {
        "control_modes_available": ["manual", "autonomous", "calibration"], "success": True}


def test_emergency_stop(client: ConsoleClient, car: FakeCar) -> None:
    client.put("/api/manual_drive", {"angle": 0, "throttle": -1, "max_speed": 1})
    assert client.post("/api/emergency_stop", {}).json() == {"success": True}
    assert car.drive_commands()[-1] == (0.0, 0.0)
    assert car.called("enable_state") == [False]
    assert car.estops == 1
    # the community console may send {"usb_reset": true} or no body at all
    assert client.post("/api/emergency_stop", {"usb_reset": True}).json() == {"success": True}
    assert client.send("POST", "/api/emergency_stop").json() == {"success": True}


def test_emergency_stop_still_stops_when_a_service_is_down(client: ConsoleClient, car: FakeCar) -> None:
    car.unavailable.add("emergency_stop")
    answer = client.post("/api/emergency_stop", {}).json()
    assert answer["success"] is False
    assert "emergency_stop" in answer["reason"]
    assert car.drive_commands()[-1] == (0.0, 0.0)
    assert car.called("enable_state") == [False]


def test_vehicle_unreachable_gives_a_readable_reason(client: ConsoleClient, car: FakeCar) -> None:
    car.unavailable.add("set_vehicle_state")
    answer = client.post("/api/drive_mode", {"drive_mode": "manual"})
    assert answer.status_code == 200
    assert answer.json() == {"success": False, "reason": "set_vehicle_state: service not available"}


@pytest.mark.parametrize(("word", "active"), [
    ("start", True), ("stop", False), ("Stop", False), ("STOP", False), ("  stop ", False), ("Start", True),
    ("  START ", True),
])
def test_start_stop_words_as_real_clients_send_them(client: ConsoleClient, car: FakeCar, word: str,
                                                    active: bool) -> None:
    car.active = not active
    assert client.post("/api/start_stop", {"start_stop": word}).json() == {"success": True}
    assert car.active is active
    assert car.called("enable_state") == [active]


@pytest.mark.parametrize("word", ["go", "", "stopp", "start!", "halt", "0", "1"])
def test_an_unknown_start_stop_word_is_refused_and_never_starts(client: ConsoleClient, car: FakeCar,
                                                                word: str) -> None:
    answer = client.post("/api/start_stop", {"start_stop": word})
    assert answer.status_code == 400
    body = answer.json()
    assert body["success"] is False
    assert body["reason"].startswith('start_stop must be "start" or "stop"') and "Nothing was changed" in body["reason"]
    assert car.called("enable_state") == [] and car.active is False
    assert car.drive_commands() == []


@pytest.mark.parametrize("value", [1, True, ["stop"], {"a": 1}])
def test_a_start_stop_that_is_not_a_word_is_refused(client: ConsoleClient, car: FakeCar, value) -> None:
    answer = client.post("/api/start_stop", {"start_stop": value})
    assert answer.status_code == 400 and answer.json()["success"] is False
    assert car.called("enable_state") == []


@pytest.mark.parametrize(("word", "state"), [
    ("manual", 0), ("Manual", 0), (" MANUAL ", 0), ("auto", 1), ("Auto", 1), ("autonomous", 1), ("AUTONOMOUS ", 1),
])
def test_drive_mode_words(client: ConsoleClient, car: FakeCar, word: str, state: int) -> None:
    assert client.post("/api/drive_mode", {"drive_mode": word}).json() == {"success": True}
    assert car.called("set_vehicle_state") == [state]


@pytest.mark.parametrize("value", ["calibration", "autopilot", "", "man ual", 3, None])
def test_an_unknown_drive_mode_changes_nothing(client: ConsoleClient, car: FakeCar, value) -> None:
    client.put("/api/manual_drive", {"angle": 0, "throttle": -1, "max_speed": 1})
    before = car.drive_commands()
    answer = client.post("/api/drive_mode", {"drive_mode": value})
    assert answer.json()["success"] is False
    if value is not None:
        assert answer.status_code == 400
        assert 'drive_mode must be "manual" or "auto" or "autonomous"' in answer.json()["reason"]
    assert car.called("set_vehicle_state") == []
    assert car.drive_changes()[-1] == before[-1]  # the car was not even stopped: nothing changed
