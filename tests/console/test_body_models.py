"""Request bodies are validated by their pydantic models (device_console/api/bodies.py), each route's
model is the one published in the API description, and a refused body is answered with the
original's texts and statuses."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from device_console.api.answers import FieldError
from device_console.api.bodies import Body, DriveModeBody, JsonBody, LedColorBody, ManualDriveBody
from device_console.api.main import ROUTERS, _json_body
from device_console.driving.joystick import manual_drive_command
from tests.console.conftest import ConsoleClient
from tests.console.fake_car import FakeCar


def refusal(model: type[Body], data: dict[str, object]) -> tuple[str, int | None, dict[str, object]]:
    with pytest.raises(FieldError) as info:
        model.from_json(data)
    return str(info.value), info.value.status, info.value.fields


def test_a_valid_body_reaches_the_route_as_its_model() -> None:
    body = ManualDriveBody.from_json({"angle": "0.5", "throttle": -1, "max_speed": 1, "type": "drive"})
    assert (body.angle, body.throttle, body.max_speed) == (0.5, -1.0, 1.0)
    assert body.command() == manual_drive_command(0.5, -1.0, 1.0)
    assert DriveModeBody.from_json({"drive_mode": " AUTO "}).drive_mode == "auto"


def test_the_first_missing_or_mistyped_field_is_named_before_any_range() -> None:
    assert refusal(ManualDriveBody, {"angle": 5, "throttle": "x", "max_speed": 9})[0] == "throttle must be a number"
    assert refusal(ManualDriveBody, {"angle": 5, "max_speed": 9})[0] == "throttle is required"
    assert refusal(ManualDriveBody, {"angle": 0, "throttle": 3, "max_speed": 9})[0] == "throttle out of range"
    assert refusal(LedColorBody, {"red": 300, "green": 1.5, "blue": 0}) == ("Input is not valid", 200, {})


def test_every_body_a_route_validates_is_the_one_it_publishes(client: ConsoleClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    checked = 0
    for router in ROUTERS:
        for route in router.routes:
            reader = _json_body(route.dependant) if isinstance(route, APIRoute) else None
            if reader is None:
                continue
            assert isinstance(reader, JsonBody)
            for method in route.methods:
                published = paths[route.path][method.lower()]["requestBody"]
                assert published["required"] is reader.required, route.path
                assert published["content"]["application/json"]["schema"]["title"] == reader.model.__name__
            checked += 1
    assert checked >= 15


def test_refused_bodies_keep_the_original_answers(client: ConsoleClient, car: FakeCar) -> None:
    assert client.post("/api/drive_settings", {}).status_code == 400
    assert client.post("/api/drive_settings", {}).json() == {
        "success": False, "reason": "legacy_drive_hold_s is required"}
    assert client.post("/api/drive_settings", {"legacy_drive_hold_s": 90}).json() == {
        "success": False, "reason": "legacy_drive_hold_s must be a number of seconds from 0.5 to 60"}
    answer = client.post("/api/drive_mode", {"drive_mode": "fast"})
    assert answer.status_code == 400 and answer.json()["reason"] == (
        'drive_mode must be "manual" or "auto" or "autonomous", not "fast". Nothing was changed.')
    message = "filenames must be a non-empty list of model names"
    for bad in ({}, {"filenames": []}, {"filenames": "one"}, {"filenames": ["one", 2]}):
        answer = client.post("/api/deleteModels", bad)
        assert answer.status_code == 200 and answer.json() == {"success": False, "message": message, "reason": message}
    answer = client.post("/api/adjust_calibrating_wheels/angle", {"pwm": 1, "setting": "centre"})
    assert answer.status_code == 400 and answer.json()["reason"] == 'setting must be "mid", "min" or "max"'
    answer = client.post("/api/set_calibration/wheels", {"pwm": "no body check before the path's"})
    assert answer.json() == {"success": False, "reason": "The calibration type must be angle or throttle"}
    assert client.post("/api/wifi_reset", {"wifi_name": " " * 40}).json()["reason"] == "wifi_name is too long"
    assert client.post("/api/set_mandatory_update_status", {"update_completed": 1}).json() == {
        "success": False, "reason": "update_completed must be true or false"}
    assert client.post("/api/emergency_stop", {"usb_reset": "yes"}).json() == {"success": True}  # ignored
    assert car.called("set_vehicle_state") == []
