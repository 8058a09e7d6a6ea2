"""Calibration routes in the original console units (steering 10 µs, throttle 4.5 µs around 1.5 ms)."""

from __future__ import annotations

import pytest

from tests.console.conftest import ConsoleClient
from tests.console.fake_car import CALIBRATION_TOPIC, FakeCar
from vehicle.calibration import CAL_TYPE_MOTOR, CAL_TYPE_SERVO, CalibrationRange
from vehicle.modes import CALIBRATION


def test_calibration_mode_then_defaults_in_ui_units(client: ConsoleClient, car: FakeCar) -> None:
    assert client.get("/api/set_calibration_mode").json() == {"success": True}
    assert car.state == CALIBRATION and car.active
    assert client.get("/api/get_calibration/angle").json() == {
        "mid": -5.0, "min": -30.0, "max": 20.0, "polarity": 1, "success": True}
    assert client.get("/api/get_calibration/throttle").json() == {
        "mid": -12.0, "min": -42.0, "max": 23.0, "polarity": -1, "success": True}


def test_polarity_zero_swaps_min_and_max_like_the_original(client: ConsoleClient, car: FakeCar) -> None:
    client.get("/api/set_calibration_mode")
    car.calibration[CAL_TYPE_SERVO] = CalibrationRange(max=1700000, mid=1450000, min=1200000, polarity=0)
    body = client.get("/api/get_calibration/angle").json()
    assert (body["min"], body["max"]) == (20.0, -30.0)


def test_set_calibration_converts_to_pwm(client: ConsoleClient, car: FakeCar) -> None:
    client.get("/api/set_calibration_mode")
    response = client.post("/api/set_calibration/angle", {"mid": 2, "min": -25, "max": 28, "polarity": -1})
    assert response.json() == {"success": True}
    assert car.calibration[CAL_TYPE_SERVO] == CalibrationRange(max=1780000, mid=1520000, min=1250000, polarity=-1)
    response = client.put("/api/set_calibration/throttle", {"mid": -10, "min": -40, "max": 20, "polarity": 1})
    assert response.json() == {"success": True}
    assert car.calibration[CAL_TYPE_MOTOR] == CalibrationRange(max=1590000, mid=1455000, min=1320000, polarity=1)
    # floats are truncated like the original int()
    client.post("/api/set_calibration/angle", {"mid": 2.9, "min": -25.5, "max": 28.1, "polarity": 1})
    assert car.calibration[CAL_TYPE_SERVO].mid == 1520000


@pytest.mark.parametrize(("body", "reason"), [
    ({"min": -25, "max": 28, "polarity": 1}, "mid is required"),
    ({"mid": 0, "max": 28, "polarity": 1}, "min is required"),
    ({"mid": 0, "min": -25, "polarity": 1}, "max is required"),
    ({"mid": 0, "min": -25, "max": 28}, "polarity is required"),
    ({"mid": 0, "min": -25, "max": 28, "polarity": 2}, "polarity must be 1 or -1"),
    ({"mid": 0, "min": 10, "max": 28, "polarity": 1}, "min, mid and max must satisfy min < mid < max"),
    ({"mid": 0, "min": -25, "max": 200, "polarity": 1}, "max out of range"),
    ({"mid": "a", "min": -25, "max": 28, "polarity": 1}, "mid must be a number"),
])
def test_bad_calibration_changes_nothing(client: ConsoleClient, car: FakeCar, body, reason) -> None:
    client.get("/api/set_calibration_mode")
    before = dict(car.calibration)
    assert client.post("/api/set_calibration/angle", body).json() == {"success": False, "reason": reason}
    assert car.calibration == before
    assert car.called("set_calibration") == []


def test_unknown_calibration_type(client: ConsoleClient, car: FakeCar) -> None:
    assert client.get("/api/get_calibration/brakes").json()["success"] is False
    assert client.post("/api/set_calibration/brakes", {"mid": 0, "min": -1, "max": 1, "polarity": 1}).json()[
        "success"] is False
    assert client.post("/api/adjust_calibrating_wheels/brakes", {"pwm": 1}).json()["success"] is False
    assert car.called("set_calibration") == []


def test_adjust_publishes_raw_pwm_for_the_live_preview(client: ConsoleClient, car: FakeCar) -> None:
    # Previews need calibration mode (ctrl forwards them only there, and the calibrated mids are the
    # preview's neutral): outside it the route says so instead of answering success for nothing.
    answer = client.post("/api/adjust_calibrating_wheels/angle", {"pwm": -20}).json()
    assert answer["success"] is False and "calibration mode" in answer["reason"]
    assert car.drive_commands(CALIBRATION_TOPIC) == []
    client.get("/api/set_calibration_mode")
    assert client.post("/api/adjust_calibrating_wheels/angle", {"pwm": -20}).json() == {"success": True}
    assert client.put("/api/adjust_calibrating_wheels/throttle", {"pwm": 10}).json() == {"success": True}
    assert car.drive_commands(CALIBRATION_TOPIC) == [(1300000.0, -1.0), (-1.0, 1545000.0)]
    assert client.post("/api/adjust_calibrating_wheels/angle", {}).json() == {
        "success": False, "reason": "pwm is required"}
    assert client.post("/api/adjust_calibrating_wheels/angle", {"pwm": 500}).json() == {
        "success": False, "reason": "pwm out of range"}
    assert len(car.drive_commands(CALIBRATION_TOPIC)) == 2


# -- the preview's neutral and its hold (issue 12, safety defect 2) ---------------------------------------
SERVO_MID, MOTOR_MID = 1450000.0, 1446000.0  # FakeCar's calibration (the original defaults)


def test_a_preview_of_zero_means_the_calibrated_mid(client: ConsoleClient, car: FakeCar) -> None:
    client.get("/api/set_calibration_mode")
    assert client.post("/api/adjust_calibrating_wheels/throttle", {"pwm": 0}).json() == {"success": True}
    assert client.post("/api/adjust_calibrating_wheels/angle", {"pwm": 0}).json() == {"success": True}
    assert car.drive_commands(CALIBRATION_TOPIC) == [(-1.0, MOTOR_MID), (SERVO_MID, -1.0)]
    # after a value far from 0 (max forward), 0 is "stop the wheels" again, and stays so
    client.post("/api/adjust_calibrating_wheels/throttle", {"pwm": 23})
    client.post("/api/adjust_calibrating_wheels/throttle", {"pwm": 0})
    client.post("/api/adjust_calibrating_wheels/throttle", {"pwm": 0.4})
    assert car.drive_commands(CALIBRATION_TOPIC)[-3:] == [(-1.0, 1603500.0), (-1.0, MOTOR_MID), (-1.0, MOTOR_MID)]


def test_zero_is_literal_while_the_user_sets_the_mid(client: ConsoleClient, car: FakeCar) -> None:
    client.get("/api/set_calibration_mode")
    # our UI says which value it adjusts
    client.post("/api/adjust_calibrating_wheels/throttle", {"pwm": 0, "setting": "mid"})
    # the original console's "stopped" slider moving through 0
    client.post("/api/adjust_calibrating_wheels/angle", {"pwm": -2})
    client.post("/api/adjust_calibrating_wheels/angle", {"pwm": -1})
    client.post("/api/adjust_calibrating_wheels/angle", {"pwm": 0})
    assert car.drive_commands(CALIBRATION_TOPIC) == [(-1.0, 1500000.0), (1480000.0, -1.0), (1490000.0, -1.0),
                                                     (1500000.0, -1.0)]
    answer = client.post("/api/adjust_calibrating_wheels/angle", {"pwm": 0, "setting": "centre"})
    assert answer.status_code == 400 and "setting must be" in answer.json()["reason"]


def test_a_preview_fails_when_the_control_node_is_not_running(client: ConsoleClient, car: FakeCar) -> None:
    client.get("/api/set_calibration_mode")
    car.listeners["calibration"] = 0
    answer = client.post("/api/adjust_calibrating_wheels/throttle", {"pwm": 20}).json()
    assert answer["success"] is False and "control node" in answer["reason"]
    assert car.drive_commands(CALIBRATION_TOPIC) == []


def test_a_preview_is_held_only_while_its_client_is_there(tmp_path) -> None:
    from fastapi.testclient import TestClient

    from device_console.main import create_app
    from tests.console.conftest import make_settings
    from tests.console.test_manual_drive_deadman import Clock, advance

    clock = Clock()
    car = FakeCar()
    app = create_app(make_settings(tmp_path), car, monotonic=clock, run_watchdog=False)
    with TestClient(app) as http:
        client = ConsoleClient(http)
        client.login()
        client.get("/api/set_calibration_mode")
        # the report: a client previews throttle and goes quiet. Held while its session
        # lives (15 s), then both axes back to the calibrated mids.
        client.post("/api/adjust_calibrating_wheels/throttle", {"pwm": 30})
        assert advance(app, clock, 14.8) == []
        assert car.drive_commands(CALIBRATION_TOPIC) == [(-1.0, 1635000.0)]  # raw previews hold at the servo
        assert len(advance(app, clock, 0.4)) == 1
        assert car.drive_commands(CALIBRATION_TOPIC)[-1] == (SERVO_MID, MOTOR_MID)
        # our UI (heartbeats): the 0.5 s dead-man
        client.post("/api/manual_drive/heartbeat")
        client.post("/api/adjust_calibrating_wheels/throttle", {"pwm": 30, "setting": "max"})
        assert advance(app, clock, 0.4) == []
        client.post("/api/manual_drive/heartbeat")
        assert advance(app, clock, 0.45) == []
        assert len(advance(app, clock, 0.2)) == 1
        assert car.drive_commands(CALIBRATION_TOPIC)[-1] == (SERVO_MID, MOTOR_MID)
        # leaving calibration mode is neutral (ctrl_pkg publishes neutral when it leaves the state too)
        client.post("/api/adjust_calibrating_wheels/angle", {"pwm": 20})
        assert client.post("/api/drive_mode", {"drive_mode": "manual"}).json() == {"success": True}
        assert car.drive_commands(CALIBRATION_TOPIC)[-1] == (SERVO_MID, MOTOR_MID)
        assert car.drive_commands()[-1] == (0.0, 0.0)
        assert not app.state.console.drive.engaged
