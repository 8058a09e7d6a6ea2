"""Direct LED backend: `drivers.status_leds.StatusLedController` on the car's sysfs GPIOs."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


class DriverLeds:
    """`LedControl` on the LED driver; the controller is created on first use (GPIO export)."""

    def __init__(self) -> None:
        self._controller: Any = None

    def _get(self) -> Any:
        if self._controller is None:
            from drivers.status_leds import StatusLedController

            self._controller = StatusLedController(on_error=lambda message: log.warning("%s", message))
        return self._controller

    def blink(self, led_index: int, color1: str, color2: str, delay: float) -> None:
        self._get().blink(led_index, color1, color2, delay)

    def solid(self, led_index: int, color: str, hold: float) -> None:
        self._get().solid(led_index, color, hold)

    def close(self) -> None:
        if self._controller is not None:
            self._controller.close()
            self._controller = None
