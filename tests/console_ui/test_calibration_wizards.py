"""Both calibration wizards of the Developer Guide, driven in Chromium with the keyboard and the
buttons: every slider step previews live on /webserver_pkg/calibration_drive, and Done writes
calibration.json (console units: steering pwm = v*10000 + 1.5 ms, throttle pwm = v*4500 + 1.5 ms)."""

from __future__ import annotations

from typing import Any

import pytest
from ctrl_pkg.ctrl_node import command_qos
from deepracer_interfaces_pkg.msg import ServoCtrlMsg

from tests.console_ui.conftest import Stack, subscribe
from tests.support.ros import RosTestNode, wait_until, with_depth

pytestmark = [pytest.mark.ros, pytest.mark.browser]

QOS = with_depth(command_qos(), 200)  # as ctrl_node reads the previews, keeping every slider step


def steering_pwm(v: int) -> int:
    return v * 10_000 + 1_500_000


def throttle_pwm(v: int) -> int:
    return v * 4_500 + 1_500_000


@pytest.fixture(scope="module")
def previews(car: Stack, ros: RosTestNode) -> list[Any]:
    return subscribe(ros, ServoCtrlMsg, "/webserver_pkg/calibration_drive", QOS)


def set_slider(p: Any, selector: str, target: int) -> None:
    """Move a range input to `target` with the keyboard, one step (and one live preview) at a time."""
    slider = p.locator(selector)
    slider.focus()
    current = int(slider.input_value())
    key = "ArrowRight" if target > current else "ArrowLeft"
    for _ in range(abs(target - current)):
        p.keyboard.press(key)
    assert int(slider.input_value()) == target
    p.wait_for_function(f"document.querySelector('{selector}-value').textContent === '{target}'")


def _calibration(stack: Stack) -> dict[str, Any]:
    return stack.read_json("calibration.json")["Calibration"]


def _preview_seen(msgs: list[Any], since: int, angle: float | None = None, throttle: float | None = None) -> bool:
    for m in msgs[since:]:
        if angle is not None and m.angle == angle and m.throttle == -1.0:
            return True
        if throttle is not None and m.throttle == throttle and m.angle == -1.0:
            return True
    return False


def test_steering_wizard(car: Stack, page, previews: list[Any], sim_car_settings, shot) -> None:
    p = page("calibration")
    p.wait_for_selector("#cal-center")
    shot(p, "calibration-laptop")
    p.click("#cal-steering-start")
    p.wait_for_selector("#steering-wizard")
    shot(p, "calibration-steering-ground-laptop")
    p.click("#wizard-next")                                   # 1 -> 2: centre

    mark = len(previews)
    set_slider(p, "#steer-center", 3)
    wait_until(lambda: _preview_seen(previews, mark, angle=float(steering_pwm(3))), 5, "centre preview")
    p.click("#wizard-next")                                   # 2 -> 3: max left

    mark = len(previews)
    set_slider(p, "#steer-left", 25)
    wait_until(lambda: _preview_seen(previews, mark, angle=float(steering_pwm(25))), 5, "left preview")
    shot(p, "calibration-steering-left-laptop")
    p.click("#wizard-next")                                   # 3 -> 4: max right

    mark = len(previews)
    p.click("#steer-right-dec")                               # the on-screen ◀ button works too
    set_slider(p, "#steer-right", -20)
    wait_until(lambda: _preview_seen(previews, mark, angle=float(steering_pwm(-20))), 5, "right preview")
    p.click("#wizard-next")                                   # Done

    p.wait_for_function("document.querySelector('#cal-center') && document.querySelector('#cal-center').textContent === '3'")
    servo = _calibration(car)["Servo"]
    assert servo == {"mid": steering_pwm(3), "max": steering_pwm(25), "min": steering_pwm(-20), "polarity": 1}
    assert p.locator("#cal-left").inner_text() == "25"
    assert p.locator("#cal-right").inner_text() == "-20"


def test_speed_wizard_with_reverse_direction(car: Stack, page, previews: list[Any], sim_car_settings,
                                             shot) -> None:
    p = page("calibration")
    p.wait_for_selector("#cal-stopped")
    motor_before = _calibration(car)["Motor"]
    assert motor_before["polarity"] == -1
    p.click("#cal-speed-start")
    p.wait_for_selector("#speed-wizard")
    p.click("#wizard-next")                                   # raise -> stopped

    # Display convention: forward is positive, so with polarity -1 the shown value is -raw.
    mark = len(previews)
    set_slider(p, "#speed-stopped", 5)                        # raw -5
    wait_until(lambda: _preview_seen(previews, mark, throttle=float(throttle_pwm(-5))), 5, "stopped preview")
    p.click("#wizard-next")                                   # stopped -> forward direction

    # Holding the button spins the wheels gently forward (below mid for polarity -1); letting go stops.
    mark = len(previews)
    p.locator("#speed-spin").scroll_into_view_if_needed()
    spin = p.locator("#speed-spin").bounding_box()
    p.mouse.move(spin["x"] + 10, spin["y"] + 10)
    p.mouse.down()
    wait_until(lambda: any(m.angle == -1.0 and m.throttle < throttle_pwm(-5) for m in previews[mark:]), 5,
               "a forward spin preview")
    shot(p, "calibration-speed-direction-laptop")
    mark = len(previews)
    p.mouse.up()
    wait_until(lambda: _preview_seen(previews, mark, throttle=float(throttle_pwm(-5))), 5, "wheels stopped again")

    p.check("#speed-reverse")                                 # this ESC turns the other way
    p.click("#wizard-next")                                   # -> max forward
    mark = len(previews)
    set_slider(p, "#speed-forward", 20)                       # polarity now 1: raw 20
    wait_until(lambda: _preview_seen(previews, mark, throttle=float(throttle_pwm(20))), 5, "forward preview")
    assert "Fast" in p.locator("#speed-forward").locator("xpath=../..").inner_text()
    p.click("#wizard-next")                                   # -> max backward
    set_slider(p, "#speed-backward", -12)
    p.click("#wizard-next")                                   # Done

    p.wait_for_selector("#cal-direction")
    p.wait_for_function("document.querySelector('#cal-direction').textContent === 'Reversed'")
    motor = _calibration(car)["Motor"]
    assert motor == {"mid": throttle_pwm(-5), "max": throttle_pwm(20), "min": throttle_pwm(-12), "polarity": 1}
    assert p.locator("#cal-forward").inner_text() == "20"
    assert p.locator("#cal-backward").inner_text() == "-12"
    shot(p, "calibration-after-speed-laptop")
