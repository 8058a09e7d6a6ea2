"""Every page works on a phone (390x844, touch) and a laptop: no sideways scrolling, the emergency
stop always on screen, the status drawer opens from the top bar; screenshots of each page are
saved to test-artifacts/screenshots/."""

from __future__ import annotations

import pytest

from tests.console_ui.conftest import PHONE, Browser, Stack, open_page

pytestmark = [pytest.mark.ros, pytest.mark.browser]

PAGES = {
    "control": "#controls-card",
    "models": "#models-card",
    "calibration": "#cal-steering, #calibration-error",
    "calibration/steering": "#steering-wizard",
    "calibration/speed": "#speed-wizard",
    "settings": "#about-card",
    "logs": "#log-output",
}


def _check_layout(p, width: int, route: str) -> None:
    overflow = p.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"#/{route} is {overflow} px wide on a {width} px screen"
    estop = p.locator(".estop:visible")
    assert estop.count() == 1, f"#/{route}: one visible emergency stop"
    box = estop.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= p.viewport_size["height"], \
        f"#/{route}: emergency stop off screen"
    assert box["x"] >= 0 and box["x"] + box["width"] <= width


def _visit_all(browser: Browser, stack: Stack, size: str, width: int, shot) -> None:
    errors = len(browser.errors)
    p = open_page(browser, stack, "control")
    try:
        for route, ready in PAGES.items():
            p.evaluate(f"window.location.hash = '#/{route}'")
            p.wait_for_selector(ready)
            assert p.locator("nav a[aria-current=page]:visible").get_attribute("data-page") == route.split("/")[0]
            _check_layout(p, width, route)
            # Scrolled to the bottom, the emergency stop is still on screen.
            p.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            _check_layout(p, width, route)
            p.evaluate("window.scrollTo(0, 0)")
            shot(p, f"{route.replace('/', '-')}-{size}")
    finally:
        p.close()
    assert browser.errors[errors:] == []


def test_every_page_on_a_phone(car: Stack, phone: Browser, shot) -> None:
    _visit_all(phone, car, "phone", PHONE["width"], shot)
    p = open_page(phone, car, "control")
    try:
        p.click("#top-battery")
        p.wait_for_selector("#sidebar #status-sensors .chip")
        assert p.locator("#sidebar").is_visible()
        assert p.locator("#status-battery .value").inner_text().endswith("%")
        _check_layout(p, PHONE["width"], "control with the status drawer open")
        shot(p, "status-drawer-phone", full_page=False)
    finally:
        p.close()


def test_every_page_on_a_laptop(car: Stack, laptop: Browser, shot) -> None:
    _visit_all(laptop, car, "laptop", 1366, shot)
