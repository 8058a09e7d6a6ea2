"""The tail-light colour picker of Settings sets the car's LEDs: led_values.json and the PWM duty of
channels 2/3/4 (red/green/blue) in the (simulated) sysfs tree change; the page shows the colour."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.console_ui.conftest import Stack, api_call
from tests.support.ros import wait_until

# the car is shared with other tests: the fixture puts the exact tail-light duties back after each test
pytestmark = [pytest.mark.ros, pytest.mark.browser, pytest.mark.usefixtures("sim_car_settings")]

SCALE = 39_215  # console 0..255 -> duty ns


def _duties(stack: Stack) -> tuple[int, int, int] | None:
    for chip in sorted((stack.sim_dir / "sys" / "class" / "pwm").glob("pwmchip*")):
        files = [chip / f"pwm{ch}" / "duty_cycle" for ch in (2, 3, 4)]
        if all(f.is_file() for f in files):
            try:
                r, g, b = (int(f.read_text().strip() or 0) for f in files)
            except (OSError, ValueError):
                return None
            return r, g, b
    return None


def _led_file(stack: Stack) -> dict[str, int]:
    path: Path = stack.state_dir / "led_values.json"
    return dict(stack.read_json(path.name)["Led Values"]) if path.exists() else {}


@pytest.mark.parametrize(("colour", "rgb"), [("red", (255, 0, 0)), ("marigold", (255, 130, 0))])
def test_choose_and_save_a_colour(car: Stack, page, shot, colour: str, rgb: tuple[int, int, int]) -> None:
    p = page("settings")
    current = p.locator("#led-current")
    p.wait_for_function("document.querySelector('#led-current').textContent !== '—'")
    assert "Could not" not in current.inner_text()
    p.click(f"label[for=led-{colour}]")
    p.click("#led-save")
    result = p.locator("#led-result")
    result.wait_for(state="visible")
    assert result.get_attribute("data-state") == "ok", result.inner_text()
    expected = tuple(v * SCALE for v in rgb)
    wait_until(lambda: _duties(car) == expected, 5, f"PWM duty {expected} on channels 2/3/4")
    assert _led_file(car) == {"red_pwm": expected[0], "green_pwm": expected[1], "blue_pwm": expected[2]}
    name = {"red": "Red", "marigold": "Marigold"}[colour]
    assert current.inner_text() == name
    # A fresh page reads the colour back from the car, whatever mode the car is in.
    assert api_call(p, "POST", "/api/drive_mode", {"drive_mode": "manual"})["success"]
    p.reload(wait_until="domcontentloaded")
    p.wait_for_function(f"document.querySelector('#led-current').textContent === '{name}'")
    assert p.is_checked(f"#led-{colour}")
    if colour == "red":
        shot(p, "settings-laptop")
