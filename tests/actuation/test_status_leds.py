"""Status LEDs: GPIO triplets, original colour names, queued solid/blink effects per LED."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.gpio import SysfsGpio
from drivers.status_leds import LED_GPIOS, POWER_LED, WIFI_LED, StatusLedController, StatusLedError
from sim.sysfs_tree import build_sim_sysfs
from tests.support.ros import wait_until


def rgb(root: Path, index: int) -> tuple[str, ...]:
    return tuple((root / "class" / "gpio" / f"gpio{n}" / "value").read_text() for n in LED_GPIOS[index])


@pytest.fixture
def leds(sysfs_root: Path) -> Iterator[StatusLedController]:
    build_sim_sysfs(sysfs_root, net_interfaces=["lo"])
    errors: list[str] = []
    controller = StatusLedController(SysfsGpio(), on_error=errors.append)
    yield controller
    controller.close()
    assert errors == []


def test_solid_colour_on_the_right_pins(leds: StatusLedController, sysfs_root: Path) -> None:
    leds.solid(POWER_LED, "blue", 0.0)
    wait_until(lambda: rgb(sysfs_root, POWER_LED) == ("0", "0", "1"), 2, "power LED blue (450, 457, 458)")
    leds.solid(WIFI_LED, "white", 0.0)
    wait_until(lambda: rgb(sysfs_root, WIFI_LED) == ("1", "1", "1"), 2, "Wi-Fi LED white (448, 447, 437)")
    assert rgb(sysfs_root, 1) == ("0", "0", "0")


def test_solid_holds_then_gives_way_to_the_next_effect(leds: StatusLedController, sysfs_root: Path) -> None:
    leds.solid(WIFI_LED, "red", 0.3)     # failure: red for at least 0.3 s ...
    leds.solid(WIFI_LED, "no_color", 0.0)   # ... then the normal state (off)
    wait_until(lambda: rgb(sysfs_root, WIFI_LED) == ("1", "0", "0"), 2, "red shown")
    wait_until(lambda: rgb(sysfs_root, WIFI_LED) == ("0", "0", "0"), 3, "red replaced after its hold")


def test_blink_alternates_until_replaced(leds: StatusLedController, sysfs_root: Path) -> None:
    leds.blink(POWER_LED, "blue", "no_color", 0.05)
    seen: set[tuple[str, ...]] = set()

    def both_phases() -> bool:
        seen.add(rgb(sysfs_root, POWER_LED))
        return {("0", "0", "1"), ("0", "0", "0")} <= seen

    wait_until(both_phases, 3, "blue / off alternation")
    leds.solid(POWER_LED, "green", 0.0)
    wait_until(lambda: rgb(sysfs_root, POWER_LED) == ("0", "1", "0"), 2, "blink replaced by solid green")


def test_unknown_colour_or_led_is_refused_and_nothing_changes(leds: StatusLedController, sysfs_root: Path) -> None:
    with pytest.raises(StatusLedError, match="unknown colour 'purple'"):
        leds.solid(POWER_LED, "purple", 0.0)
    with pytest.raises(StatusLedError, match="unknown LED index 3"):
        leds.solid(3, "blue", 0.0)
    with pytest.raises(StatusLedError, match="blink delay"):
        leds.blink(POWER_LED, "blue", "red", 0.0)
    with pytest.raises(StatusLedError, match="hold"):
        leds.solid(POWER_LED, "blue", -1.0)
    assert rgb(sysfs_root, POWER_LED) == ("0", "0", "0")


def test_close_turns_everything_off(sysfs_root: Path) -> None:
    build_sim_sysfs(sysfs_root, net_interfaces=["lo"])
    leds = StatusLedController(SysfsGpio())
    leds.solid(POWER_LED, "white", 10.0)
    wait_until(lambda: rgb(sysfs_root, POWER_LED) == ("1", "1", "1"), 2, "white")
    leds.close()
    assert rgb(sysfs_root, POWER_LED) == ("0", "0", "0")
    with pytest.raises(StatusLedError, match="shut down"):
        leds.solid(POWER_LED, "blue", 0.0)
