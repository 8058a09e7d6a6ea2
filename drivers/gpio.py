"""Sysfs GPIO (`/sys/class/gpio`): export, direction, value, as the original car's nodes do it.

Pin numbers in this stack are the original car's (436 servo power, 383/387 board id, LED triplets
such as 448/447/437). Newer kernels number the same pins 78 higher (436 appears as 514), so a
`SysfsGpio` resolves every pin to the kernel's number:

- `offset` given (or env DEEPRACER_GPIO_OFFSET): always that offset;
- otherwise the first that fits: `gpio<n>` already exported, `gpio<n+78>` already exported, a
  `gpiochip*` whose range covers n, one that covers n+78; else n.

Writes are the bytes the original writes ("436", "out", "0"/"1", no newline). After writing to
`export` the kernel creates `gpio<n>/`; udev may need a moment to fix permissions, so we wait for
it with a deadline instead of failing on the first try.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from runtime.paths import sysfs_root

KERNEL_OFFSET_VARIANT = 78
EXPORT_TIMEOUT_S = 2.0


class GpioError(OSError):
    """A GPIO could not be exported, configured, written or read (the message names the file)."""


def gpio_class_dir(root: Path | None = None) -> Path:
    return (root if root is not None else sysfs_root()) / "class" / "gpio"


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _env_offset() -> int | None:
    raw = os.environ.get("DEEPRACER_GPIO_OFFSET", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"DEEPRACER_GPIO_OFFSET must be an integer, not {raw!r}") from None


class SysfsGpio:
    """The sysfs GPIO controller under `<sysfs_root>/class/gpio`."""

    def __init__(self, sysfs: Path | None = None, offset: int | None = None,
                 export_timeout: float = EXPORT_TIMEOUT_S) -> None:
        self.base = gpio_class_dir(sysfs)
        self.offset = offset if offset is not None else _env_offset()
        self.export_timeout = export_timeout
        self._lock = threading.Lock()

    def _chip_ranges(self) -> list[tuple[int, int]]:
        ranges = []
        try:
            entries = sorted(self.base.glob("gpiochip*"))
        except OSError:
            return []
        for chip in entries:
            base = _read_int(chip / "base")
            count = _read_int(chip / "ngpio")
            if base is not None and count is not None:
                ranges.append((base, base + count))
        return ranges

    def kernel_number(self, number: int) -> int:
        """The kernel's number for the original car's pin `number`."""
        if self.offset is not None:
            return number + self.offset
        shifted = number + KERNEL_OFFSET_VARIANT
        if (self.base / f"gpio{number}").is_dir():
            return number
        if (self.base / f"gpio{shifted}").is_dir():
            return shifted
        ranges = self._chip_ranges()
        if any(lo <= number < hi for lo, hi in ranges):
            return number
        if any(lo <= shifted < hi for lo, hi in ranges):
            return shifted
        return number

    def pin(self, number: int, direction: str = "out") -> GpioPin:
        """A configured pin: exported if needed, direction written ("out" or "in")."""
        pin = GpioPin(self, number)
        pin.setup(direction)
        return pin

    def _write(self, path: Path, text: str) -> None:
        try:
            with open(path, "w") as handle:
                handle.write(text)
        except OSError as exc:
            raise GpioError(exc.errno or 0, f"cannot write {text!r} to {path}: {exc.strerror or exc}") from exc

    def export(self, kernel_number: int) -> Path:
        """Export `kernel_number` unless already exported; return its directory."""
        path = self.base / f"gpio{kernel_number}"
        with self._lock:
            if path.is_dir():
                return path
            self._write(self.base / "export", str(kernel_number))
            deadline = time.monotonic() + self.export_timeout
            while not (path / "value").exists():
                if time.monotonic() > deadline:
                    raise GpioError(0, f"{path} did not appear after exporting GPIO {kernel_number}")
                time.sleep(0.005)
        return path

    def unexport(self, kernel_number: int) -> None:
        if (self.base / f"gpio{kernel_number}").is_dir():
            self._write(self.base / "unexport", str(kernel_number))


class GpioPin:
    """One pin (original numbering in `.number`, kernel numbering in `.kernel_number`)."""

    def __init__(self, controller: SysfsGpio, number: int) -> None:
        self.controller = controller
        self.number = number
        self.kernel_number = controller.kernel_number(number)
        self.path = controller.base / f"gpio{self.kernel_number}"

    def setup(self, direction: str = "out") -> None:
        if direction not in ("out", "in", "high", "low"):
            raise ValueError(f"GPIO direction must be out/in/high/low, not {direction!r}")
        self.controller.export(self.kernel_number)
        self.controller._write(self.path / "direction", direction)

    def write(self, value: int) -> None:
        if value not in (0, 1):
            raise ValueError(f"GPIO value must be 0 or 1, not {value!r}")
        self.controller._write(self.path / "value", str(value))

    def read(self) -> int:
        try:
            text = (self.path / "value").read_text().strip()
        except OSError as exc:
            raise GpioError(exc.errno or 0, f"cannot read {self.path / 'value'}: {exc.strerror or exc}") from exc
        if text not in ("0", "1"):
            raise GpioError(0, f"{self.path / 'value'} holds {text!r}, not 0 or 1")
        return int(text)

    def unexport(self) -> None:
        self.controller.unexport(self.kernel_number)
