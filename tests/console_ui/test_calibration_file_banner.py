"""A corrupt calibration.json (issue 12): the car keeps the safe defaults, and the Calibration page says
so in a banner until the user saves a calibration, which keeps the corrupt file aside as
calibration.json.corrupt-<time>."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.console_ui.conftest import Stack

pytestmark = [pytest.mark.ros, pytest.mark.browser]
CORRUPT = '{"Calibration": {"Servo": {"max": 17'
NOTICE = "calibration file was unreadable, defaults in use; recalibrate"


@pytest.fixture
def corrupt_file(car: Stack) -> Iterator[str]:
    """calibration.json corrupted on disk; the good file and nothing else afterwards."""
    path = car.state_dir / "calibration.json"
    good = path.read_text()
    path.write_text(CORRUPT)
    try:
        yield good
    finally:
        path.write_text(good)  # the running servo node kept the same values in memory
        for aside in car.state_dir.glob("calibration.json.corrupt-*"):
            aside.unlink()


def test_banner_until_a_new_calibration_is_saved(car: Stack, page, sim_car_settings, corrupt_file: str, shot) -> None:
    p: Any = page("calibration")
    banner = p.locator("#calibration-file-banner")
    banner.wait_for(state="visible")
    assert NOTICE in banner.inner_text()
    assert "not valid JSON" in p.locator("#calibration-file-reason").inner_text()
    shot(p, "calibration-corrupt-file-laptop")

    # the steering wizard saved as is (four steps): the new file replaces the corrupt one
    p.wait_for_selector("#cal-center")
    p.click("#cal-steering-start")
    p.wait_for_selector("#steering-wizard")
    for _ in range(4):
        p.click("#wizard-next")
    p.wait_for_selector("#cal-center")
    banner.wait_for(state="hidden")

    asides = list(car.state_dir.glob("calibration.json.corrupt-*"))
    assert [a.read_text() for a in asides] == [CORRUPT]       # the evidence, kept aside
    saved = json.loads((car.state_dir / "calibration.json").read_text())
    assert saved == json.loads(corrupt_file)                   # the values in use, now on disk again
