"""The Calibration page computes pulse widths and the speed controller's direction from the units the
car serves (GET /api/calibration_units), not from constants copied out of calibration/maths.py: with
other units served, the page shows other pulses. Real uvicorn with a fake car, headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from calibration.maths import CalibrationRange
from device_console.api.routes import calibration as calibration_routes
from device_console.main import create_app
from tests.console.conftest import make_settings
from tests.console.fake_car import FakeCar
from tests.console.live_server import LiveServer
from tests.console_ui.conftest import LAPTOP, PASSWORD

pytestmark = [pytest.mark.browser]


@pytest.fixture
def console(tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(create_app(make_settings(tmp_path), FakeCar())) as server:
        yield server


@pytest.fixture
def page(chromium: Any, console: LiveServer) -> Iterator[Any]:
    ctx = chromium.new_context(viewport=LAPTOP, service_workers="block")
    ctx.set_default_timeout(30_000)
    errors: list[str] = []
    try:
        p = ctx.new_page()
        p.on("pageerror", lambda exc: errors.append(str(exc)))
        p.goto(console.url + "/login", wait_until="domcontentloaded")
        p.fill("#password", PASSWORD)
        p.click("#login-submit")
        p.wait_for_url("**/home**", wait_until="domcontentloaded")
        yield p
    finally:
        ctx.close()
    assert errors == []


def steering_centre_pulse(p: Any, base_url: str) -> tuple[str, str]:
    """(Direction on the overview, the centre step's pulse line) of the fake car's calibration
    (steering mid -5, throttle polarity -1)."""
    p.goto(base_url + "/home#/calibration", wait_until="domcontentloaded")
    p.reload(wait_until="domcontentloaded")                  # a fresh page: it reads the units again
    direction = p.locator("#cal-direction")
    direction.wait_for()
    shown = direction.inner_text()
    p.click("#cal-steering-start")
    p.click("#wizard-next")                                   # ground -> centre
    line = p.locator("#steer-center").locator("xpath=../..").locator(".slider-extra")
    line.wait_for()
    return shown, line.inner_text()


def test_pulses_and_direction_come_from_the_served_units(page: Any, console: LiveServer,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # the car's own units: mid -5 is 1.5 ms - 5 x 10 µs; the default throttle polarity is the car's (-1)
    assert steering_centre_pulse(page, console.url) == ("Normal", "pulse 1.450 ms")
    # other units served (as another car might define them): the page follows
    monkeypatch.setattr(calibration_routes, "PWM_OFFSET", 1_600_000)
    monkeypatch.setattr(calibration_routes, "DEFAULT_MOTOR", CalibrationRange(max=0, mid=0, min=0, polarity=1))
    assert steering_centre_pulse(page, console.url) == ("Reversed", "pulse 1.550 ms")
