"""The three RGB system LEDs on the side of the car, on sysfs GPIOs, with queued effects.

LED index -> (R, G, B) GPIO: 0 Wi-Fi (448, 447, 437), 1 camera/middle (446, 445, 443),
2 power (450, 457, 458). Colours by the original names: red, green, blue, black, white,
no_color, on. A channel is lit by writing "1" to its value file.

Effects (as the original status_led_node): `solid(index, colour, hold)` shows the colour for at
least `hold` seconds and keeps it until the next effect for that LED arrives, then turns it off;
`blink(index, colour1, colour2, delay)` alternates every `delay` seconds until the next effect,
then off. Effects are queued per LED and run one after another by one worker thread per LED.
Unlike the original, an unknown colour or LED index is refused at once with a clear error.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from drivers.gpio import GpioPin, SysfsGpio

WIFI_LED = 0
CAMERA_LED = 1
POWER_LED = 2
LED_GPIOS: dict[int, tuple[int, int, int]] = {
    WIFI_LED: (448, 447, 437),
    CAMERA_LED: (446, 445, 443),
    POWER_LED: (450, 457, 458),
}
COLORS: dict[str, tuple[int, int, int]] = {
    "red": (1, 0, 0),
    "green": (0, 1, 0),
    "blue": (0, 0, 1),
    "black": (0, 0, 0),
    "white": (1, 1, 1),
    "no_color": (0, 0, 0),
    "on": (1, 1, 1),
}
MIN_BLINK_DELAY_S = 0.01


class StatusLedError(ValueError):
    """A refused LED request (unknown LED or colour, bad timing)."""


def color_value(name: str) -> tuple[int, int, int]:
    try:
        return COLORS[name]
    except KeyError:
        raise StatusLedError(f"unknown colour {name!r} (one of {', '.join(COLORS)})") from None


class StatusLed:
    """One RGB LED: three output GPIOs."""

    def __init__(self, gpio: SysfsGpio, pins: tuple[int, int, int]) -> None:
        self.pins: tuple[GpioPin, ...] = tuple(gpio.pin(number, "out") for number in pins)

    def set(self, rgb: tuple[int, int, int]) -> None:
        for pin, value in zip(self.pins, rgb, strict=True):
            pin.write(1 if value else 0)

    def off(self) -> None:
        self.set((0, 0, 0))


@dataclass(frozen=True)
class _Effect:
    kind: str                   # "solid" | "blink"
    colors: tuple[tuple[int, int, int], ...]
    seconds: float              # hold (solid) or delay (blink)


class _LedWorker:
    def __init__(self, index: int, led_factory: Callable[[], StatusLed],
                 on_error: Callable[[str], None]) -> None:
        self.index = index
        self._led_factory = led_factory
        self._led: StatusLed | None = None
        self._on_error = on_error
        self._queue: deque[_Effect] = deque()
        self._cond = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name=f"status-led-{index}", daemon=True)
        self._thread.start()

    def submit(self, effect: _Effect) -> None:
        with self._cond:
            self._queue.append(effect)
            self._cond.notify_all()

    def close(self, timeout: float = 2.0) -> None:
        with self._cond:
            self._closing = True
            self._queue.clear()
            self._cond.notify_all()
        self._thread.join(timeout)

    def _set(self, rgb: tuple[int, int, int]) -> None:
        try:
            if self._led is None:
                self._led = self._led_factory()
            self._led.set(rgb)
        except Exception as exc:  # a broken GPIO must not kill the worker
            self._on_error(f"status LED {self.index}: {exc}")

    def _wait_for_next(self, seconds: float | None) -> bool:
        """Wait up to `seconds` (None = forever) for a queued effect or close; True if one is waiting."""
        with self._cond:
            self._cond.wait_for(lambda: bool(self._queue) or self._closing, timeout=seconds)
            return bool(self._queue) or self._closing

    def _sleep_uninterrupted(self, seconds: float) -> None:
        """`hold`: the colour stays at least this long, unless the node is shutting down."""
        with self._cond:
            self._cond.wait_for(lambda: self._closing, timeout=max(0.0, seconds))

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._queue) or self._closing)
                if self._closing:
                    break
                effect = self._queue.popleft()
            if effect.kind == "solid":
                self._set(effect.colors[0])
                self._sleep_uninterrupted(effect.seconds)
                self._wait_for_next(None)
            else:
                phase = 0
                while True:
                    self._set(effect.colors[phase])
                    if self._wait_for_next(effect.seconds):
                        break
                    phase ^= 1
            self._set((0, 0, 0))


class StatusLedController:
    """Queued solid/blink effects on the three system LEDs."""

    def __init__(self, gpio: SysfsGpio | None = None, on_error: Callable[[str], None] | None = None,
                 led_gpios: dict[int, tuple[int, int, int]] | None = None) -> None:
        self.gpio = gpio if gpio is not None else SysfsGpio()
        self.led_gpios = dict(led_gpios or LED_GPIOS)
        self.on_error = on_error or (lambda message: None)
        self._workers: dict[int, _LedWorker] = {}
        self._lock = threading.Lock()
        self._closed = False

    def _worker(self, index: int) -> _LedWorker:
        if isinstance(index, bool) or index not in self.led_gpios:
            raise StatusLedError(f"unknown LED index {index!r} (one of {sorted(self.led_gpios)})")
        with self._lock:
            if self._closed:
                raise StatusLedError("status LEDs are shut down")
            worker = self._workers.get(index)
            if worker is None:
                pins = self.led_gpios[index]
                worker = _LedWorker(index, lambda: StatusLed(self.gpio, pins), self.on_error)
                self._workers[index] = worker
            return worker

    def solid(self, index: int, color: str, hold: float = 0.0) -> None:
        rgb = color_value(color)
        if not hold >= 0:
            raise StatusLedError(f"hold must be >= 0 s, not {hold!r}")
        self._worker(index).submit(_Effect("solid", (rgb,), float(hold)))

    def blink(self, index: int, color1: str, color2: str, delay: float) -> None:
        colors = (color_value(color1), color_value(color2))
        if not delay >= MIN_BLINK_DELAY_S:
            raise StatusLedError(f"blink delay must be >= {MIN_BLINK_DELAY_S} s, not {delay!r}")
        self._worker(index).submit(_Effect("blink", colors, float(delay)))

    def close(self) -> None:
        """Stop every effect and turn the LEDs off."""
        with self._lock:
            self._closed = True
            workers = list(self._workers.values())
        for worker in workers:
            worker.close()
