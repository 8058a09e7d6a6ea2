"""Calibration routes in the original console units (steering 10 µs, throttle 4.5 µs around 1.5 ms)."""

from __future__ import annotations

import pytest

from device_console.car import CAL_MOTOR, CAL_SERVO, CALIBRATION, Calibration
from tests.console.conftest import ConsoleClient
from tests.console.fake_car import CALIBRATION_TOPIC, FakeCar


def test_calibration_mode_then_defaults_in_ui_units(client: ConsoleClient, car: FakeCar) -> None:
    assert client.get("/api/set_calibration_mode").json() == {"success": True}
    assert car.state == CALIBRATION and car.active
    assert client.get("/api/get_calibration/angle").json() == {
        "mid": -5.0, "min": -30.0, "max": 20.0, "polarity": 1, "success": True}
    assert client.get("/api/get_calibration/throttle").json() == {
        "mid": -12.0, "min": -42.0, "max": 23.0, "polarity": -1, "success": True}


def test_polarity_zero_swaps_min_and_max_like_the_original(client: ConsoleClient, car: FakeCar) -> None:
    client.get("/api/set_calibration_mode")
    car.calibration[CAL_SERVO] = Calibration(max=1700000, mid=1450000, min=1200000, polarity=0)
    body = client.get("/api/get_calibration/angle").json()
    assert (body["min"], body["max"]) == (20.0, -30.0)


def test_set_calibration_converts_to_pwm(client: ConsoleClient, car: FakeCar) -> None:
    client.get("/api/set_calibration_mode")
    response = client.post("/api/set_calibration/angle", {"mid": 2, "min": -25, "max": 28, "polarity": -1})
    assert response.json() == {"success": True}
    assert car.calibration[CAL_SERVO] == Calibration(max=1780000, mid=1520000, min=1250000, polarity=-1)
    response = client.put("/api/set_calibration/throttle", {"mid": -10, "min": -40, "max": 20, "polarity": 1})
    assert response.json() == {"success": True}
    assert car.calibration[CAL_MOTOR] == Calibration(max=1590000, mid=1455000, min=1320000, polarity=1)
    # floats are truncated like the original int()
    client.post("/api/set_calibration/angle", {"mid": 2.9, "min": -25.5, "max": 28.1, "polarity": 1})
    assert car.calibration[CAL_SERVO].mid == 1520000


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
    assert client.post("/api/adjust_calibrating_wheels/angle", {"pwm": -20}).json() == {"success": True}
    assert client.put("/api/adjust_calibrating_wheels/throttle", {"pwm": 10}).json() == {"success": True}
    assert car.drive_commands(CALIBRATION_TOPIC) == [(1300000.0, -1.0), (-1.0, 1545000.0)]
    assert client.post("/api/adjust_calibrating_wheels/angle", {}).json() == {
        "success": False, "reason": "pwm is required"}
    assert client.post("/api/adjust_calibrating_wheels/angle", {"pwm": 500}).json() == {
        "success": False, "reason": "pwm out of range"}
    assert len(car.drive_commands(CALIBRATION_TOPIC)) == 2
