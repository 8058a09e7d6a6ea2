"""Tail light colour: 0..255 per channel ↔ PWM duty ns (× 39215)."""

from __future__ import annotations

import pytest

from tests.console.conftest import ConsoleClient
from tests.console.fake_car import FakeCar


def test_set_and_get_led_color(client: ConsoleClient, car: FakeCar) -> None:
    assert client.post("/api/set_led_color", {"red": 255, "green": 130, "blue": 0}).json() == {"success": True}
    assert car.led == (9999825, 5097950, 0)
    assert client.get("/api/get_led_color").json() == {"red": 255, "green": 130, "blue": 0, "success": True}


def test_default_blue_reads_back_as_255(client: ConsoleClient) -> None:
    assert client.get("/api/get_led_color").json() == {"red": 0, "green": 0, "blue": 255, "success": True}


@pytest.mark.parametrize("body", [
    {"red": 256, "green": 0, "blue": 0},
    {"red": -1, "green": 0, "blue": 0},
    {"red": 1.5, "green": 0, "blue": 0},
    {"green": 0, "blue": 0},
    {"red": "ff", "green": 0, "blue": 0},
])
def test_invalid_colours_are_refused(client: ConsoleClient, car: FakeCar, body) -> None:
    assert client.post("/api/set_led_color", body).json() == {"success": False, "reason": "Input is not valid"}
    assert car.called("set_led") == []
