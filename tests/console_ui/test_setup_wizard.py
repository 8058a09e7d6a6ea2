"""The first-run wizard on a phone, in Chromium against the simulated car: it opens by itself on a
car without Wi-Fi, lists the networks, connects and shows the live state,
checks for a software update, then shows the car's address large with a QR code that decodes to
it; finished, it no longer opens by itself, and Settings still opens it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import cv2
import numpy as np
import pytest

from tests.console_ui.conftest import Browser, Stack, api_call

pytestmark = [pytest.mark.ros, pytest.mark.browser]


@pytest.fixture
def car_without_wifi(car: Stack) -> Iterator[Stack]:
    """The simulated car's NetworkManager with no Wi-Fi set up (a new car); put back afterwards."""
    state_file = car.sim_dir / "network" / "nm-state.json"
    before = state_file.read_text()
    state = json.loads(before)
    state["connected"] = None
    state["devices"][0][2] = "disconnected"
    state["profiles"] = [p for p in state["profiles"] if p["type"] != "802-11-wireless"]
    state_file.write_text(json.dumps(state))
    try:
        yield car
    finally:
        state_file.write_text(before)


def _decode_qr(png: bytes) -> str:
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return str(text)


def test_first_set_up_on_a_phone(car_without_wifi: Stack, phone: Browser) -> None:
    stack = car_without_wifi
    p = phone.new_page()
    errors_before = len(phone.errors)
    try:
        p.goto(stack.base_url + "/home", wait_until="domcontentloaded")
        p.wait_for_selector("#setup-wizard")                        # opened by itself: no Wi-Fi
        assert p.url.endswith("#/setup")
        p.wait_for_function("document.querySelector('#setup-wifi-status').textContent === 'Not connected to Wi-Fi'")
        p.wait_for_selector("#setup-step-wifi .wifi-item")         # scanned on arrival
        assert "Pit-Lane" in p.locator("#setup-step-wifi .wifi-list").inner_text()

        p.locator("#setup-step-wifi .wifi-item", has_text="Pit-Lane").click()
        assert p.input_value("#setup-wifi-name") == "Pit-Lane"
        p.fill("#setup-wifi-password", "pitlane123")
        p.click("#setup-wifi-connect")
        p.wait_for_function("document.querySelector('#setup-wifi-status').textContent.startsWith('Connected to Pit-Lane')")
        assert p.locator("#setup-wifi-result").get_attribute("data-state") == "ok"

        p.click("#setup-next")                                       # software update
        p.wait_for_function("document.querySelector('#setup-update-status').textContent === "
                            "\"The car's software is up to date.\"")
        p.click("#setup-next")                                       # the car's address
        address = stack.base_url.replace("127.0.0.1", "192.0.2.10")  # the simulated car's Wi-Fi address
        p.wait_for_function(f"document.querySelector('#setup-address').textContent === '{address}'")
        big = p.eval_on_selector("#setup-address", "e => parseFloat(getComputedStyle(e).fontSize)")
        assert big >= 24
        qr = p.locator("#setup-qr")
        p.wait_for_function("document.querySelector('#setup-qr').complete && "
                            "document.querySelector('#setup-qr').naturalWidth > 0")
        assert _decode_qr(qr.screenshot()) == address + "/"
        # a phone: nothing wider than the screen
        assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        p.click("#setup-done")                                       # finished: the console as usual
        p.wait_for_selector("#page-control")
        assert api_call(p, "GET", "/api/setup_wizard")["dismissed"] is True
        p.goto(stack.base_url + "/home", wait_until="domcontentloaded")
        p.wait_for_selector("#page-control")                        # no longer opens by itself
        p.goto(stack.base_url + "/home#/settings", wait_until="domcontentloaded")
        p.click("#open-setup")                                       # reachable from Settings
        p.wait_for_selector("#setup-wizard")
        assert phone.errors[errors_before:] == [], "JavaScript errors on the page"
    finally:
        api_call(p, "POST", "/api/setup_wizard", {"dismissed": False})
        p.close()
