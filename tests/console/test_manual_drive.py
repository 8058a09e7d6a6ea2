"""PUT/POST /api/manual_drive: the original stepping and speed-scale maths on /webserver_pkg/manual_drive."""

from __future__ import annotations

import pytest

from device_console.driving.joystick import categorize, manual_drive_command, speed_mapping
from tests.console.conftest import ConsoleClient
from tests.console.fake_car import FakeCar


@pytest.mark.parametrize(("value", "step"), [
    (0.0, 0.0), (0.01, 0.3), (0.49, 0.3), (0.5, 0.5), (0.79, 0.5), (0.8, 0.8), (1.0, 0.8),
    (-0.2, -0.3), (-0.6, -0.5), (-1.0, -0.8),
])
def test_axes_snap_to_the_original_steps(value: float, step: float) -> None:
    assert categorize(value) == step


def test_speed_mapping_matches_the_documented_examples() -> None:
    a, b = speed_mapping(0.6)
    assert a == pytest.approx(-0.1775, abs=1e-4)
    assert b == pytest.approx(0.8462, abs=1e-4)
    # joystick half way up (screen y = -0.5) at max speed 0.5: forward 0.3333
    assert manual_drive_command(0.0, -0.5, 0.5) == pytest.approx((0.0, 0.3333), abs=1e-4)
    # full speed setting: scale 1 → a = -1.2, b = 2.2
    assert speed_mapping(1.0) == pytest.approx((-1.2, 2.2))
    assert manual_drive_command(0.0, -1.0, 1.0)[1] == pytest.approx(-1.2 * 0.64 + 2.2 * 0.8)


def test_signs_angle_negated_and_throttle_forward_when_pushed_up() -> None:
    angle, throttle = manual_drive_command(1.0, 1.0, 0.5)
    assert angle == -0.8
    assert throttle < 0  # joystick pulled down: backwards
    angle, throttle = manual_drive_command(-0.3, -0.3, 0.5)
    assert angle == 0.3
    assert throttle > 0
    assert manual_drive_command(0.4, 0.9, 0.0) == (-0.3, 0.0)  # max_speed 0: no throttle


def test_route_publishes_the_command(client: ConsoleClient, car: FakeCar) -> None:
    for method in (client.put, client.post):
        before = len(car.drive_commands())
        response = method("/api/manual_drive", {"angle": 0.5, "throttle": -0.5, "max_speed": 0.5})
        assert response.json() == {"success": True}
        # published at once (and re-published while its driver is there: test_drive_hold.py)
        assert car.drive_commands()[before] == pytest.approx((-0.5, 0.3333), abs=1e-4)


@pytest.mark.parametrize(("body", "reason"), [
    ({"throttle": 0, "max_speed": 0.5}, "angle is required"),
    ({"angle": 0, "max_speed": 0.5}, "throttle is required"),
    ({"angle": 0, "throttle": 0}, "max_speed is required"),
    ({"angle": 1.5, "throttle": 0, "max_speed": 0.5}, "angle out of range"),
    ({"angle": 0, "throttle": -1.01, "max_speed": 0.5}, "throttle out of range"),
    ({"angle": 0, "throttle": 0, "max_speed": 2}, "max_speed out of range"),
    ({"angle": "left", "throttle": 0, "max_speed": 0.5}, "angle must be a number"),
    ({"angle": True, "throttle": 0, "max_speed": 0.5}, "angle must be a number"),
    ({"angle": None, "throttle": 0, "max_speed": 0.5}, "angle is required"),
])
def test_bad_input_is_refused_and_nothing_is_published(client: ConsoleClient, car: FakeCar, body, reason) -> None:
    response = client.put("/api/manual_drive", body)
    assert response.status_code == 200
    assert response.json() == {"success": False, "reason": reason}
    assert car.drive_commands() == []


def test_malformed_json_is_a_400(client: ConsoleClient, car: FakeCar) -> None:
    for raw in (b"{angle: 1}", b"[1, 2]", b"", b"\xff\xfe"):
        response = client.send("PUT", "/api/manual_drive", content=raw,
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        assert response.json()["success"] is False
    assert car.drive_commands() == []


def test_numbers_as_strings_are_accepted_like_the_original(client: ConsoleClient, car: FakeCar) -> None:
    response = client.put("/api/manual_drive", {"angle": "0", "throttle": "-0.8", "max_speed": "1"})
    assert response.json() == {"success": True}
    assert car.drive_commands()[0][1] == pytest.approx(-1.2 * 0.64 + 2.2 * 0.8)
