"""The two LED effects the provisioner needs, behind a small interface.

Semantics are those of the original `/status_led_pkg/led_blink` and `led_solid` services: `blink`
alternates two colours every `delay` seconds until the next effect on that LED; `solid` shows a
colour, keeps it at least `hold` seconds, and keeps it until the next effect.

Backends:
- `CallableLeds`: two injected callables, e.g. ROS service calls to the status_led node when the
  robot stack runs (the USB monitor node passes them);
- `driver_leds()`: the car's LED driver (`drivers.status_leds`) directly, when the provisioner runs
  on its own (the stack may be stopped or broken);
- `FallbackLeds`: the first backend, and the second one whenever the first one fails;
- `NullLeds`: no LEDs (a laptop, `deepracer usb process` on a folder).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

# LED indices and colour names of the original status_led node.
WIFI_LED = 0
CAMERA_LED = 1
POWER_LED = 2

BLUE = "blue"
RED = "red"
NO_COLOR = "no_color"

BLINK_DELAY_S = 0.2
FAILURE_HOLD_S = 2.0


class LedControl(Protocol):
    def blink(self, led_index: int, color1: str, color2: str, delay: float) -> None: ...

    def solid(self, led_index: int, color: str, hold: float) -> None: ...


class NullLeds:
    def blink(self, led_index: int, color1: str, color2: str, delay: float) -> None:
        return None

    def solid(self, led_index: int, color: str, hold: float) -> None:
        return None


class CallableLeds:
    """LED effects through injected callables with the signatures of `LedControl`'s methods."""

    def __init__(self, blink: Callable[[int, str, str, float], object],
                 solid: Callable[[int, str, float], object]) -> None:
        self._blink = blink
        self._solid = solid

    def blink(self, led_index: int, color1: str, color2: str, delay: float) -> None:
        self._blink(led_index, color1, color2, delay)

    def solid(self, led_index: int, color: str, hold: float) -> None:
        self._solid(led_index, color, hold)


class FallbackLeds:
    """Use `primary`; when it raises, log once and use `fallback` for that effect."""

    def __init__(self, primary: LedControl, fallback: LedControl) -> None:
        self.primary = primary
        self.fallback = fallback
        self._warned = False

    def _failed(self, exc: Exception) -> None:
        if not self._warned:
            log.warning("LED backend failed (%s); driving the LEDs directly", exc)
            self._warned = True

    def blink(self, led_index: int, color1: str, color2: str, delay: float) -> None:
        try:
            self.primary.blink(led_index, color1, color2, delay)
        except Exception as exc:
            self._failed(exc)
            self.fallback.blink(led_index, color1, color2, delay)

    def solid(self, led_index: int, color: str, hold: float) -> None:
        try:
            self.primary.solid(led_index, color, hold)
        except Exception as exc:
            self._failed(exc)
            self.fallback.solid(led_index, color, hold)


class SafeLeds:
    """Never let an LED problem stop a Wi-Fi set-up or a model import: log and carry on."""

    def __init__(self, inner: LedControl) -> None:
        self.inner = inner

    def blink(self, led_index: int, color1: str, color2: str, delay: float) -> None:
        try:
            self.inner.blink(led_index, color1, color2, delay)
        except Exception as exc:
            log.warning("LED %d blink failed: %s", led_index, exc)

    def solid(self, led_index: int, color: str, hold: float) -> None:
        try:
            self.inner.solid(led_index, color, hold)
        except Exception as exc:
            log.warning("LED %d solid failed: %s", led_index, exc)


def driver_leds() -> LedControl:
    """The car's status LEDs driven directly through `drivers.status_leds` (sysfs GPIO)."""
    from usb_wifi_provisioner._driver_leds import DriverLeds

    return DriverLeds()
