"""Compute-battery level from the fuel gauge on I2C, as the original i2c_pkg battery_node reads it.

Bus: the `/sys/class/i2c-dev/i2c-N` whose link target contains `0000:00:17.3` (default 7), device
`/dev/i2c-N`, slave 0x3F: write the register pointer 0x03 (SMBus send byte), read one byte.
Level = the first threshold <= byte: 0xEC->11, 0xE0->10, 0xD9->9, 0xD3->8, 0xCF->7, 0xCB->6,
0xC8->5, 0xC5->4, 0xC3->3, 0xC0->2, 0xB4->1, 0x8C->0, else -1; an I/O failure gives -1.

`read()` returns a `BatteryReading` that also says whether a gauge exists at all: a board without
the bus or without a device at 0x3F (a Raspberry Pi car, a laptop) is "not available", which the
node reports once, calmly, instead of an error on every poll; the service still answers -1.

Backends: "real" opens /dev/i2c-N with smbus2; "sim" puts the register emulator behind the same
SMBus interface, its level byte read from `<sim_dir>/fuel_gauge` (absent: 0xEC, full).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from drivers.smbus import SMBusLike, i2c_device_path, is_no_device_error, open_smbus
from runtime.paths import hardware_mode, sim_dir, sysfs_root

FUEL_GAUGE_ADDRESS = 0x3F
LEVEL_REGISTER = 0x03
I2C_DEVICE_ID = "0000:00:17.3"
DEFAULT_I2C_BUS = 7
LEVEL_THRESHOLDS: tuple[tuple[int, int], ...] = (
    (0xEC, 11), (0xE0, 10), (0xD9, 9), (0xD3, 8), (0xCF, 7), (0xCB, 6),
    (0xC8, 5), (0xC5, 4), (0xC3, 3), (0xC0, 2), (0xB4, 1), (0x8C, 0),
)


def level_from_raw(raw: int) -> int:
    """The original threshold table: 0..11, or -1 below 0x8C."""
    for threshold, level in LEVEL_THRESHOLDS:
        if raw >= threshold:
            return level
    return -1


def find_i2c_bus(sysfs: Path | None = None, device_id: str = I2C_DEVICE_ID,
                 default: int = DEFAULT_I2C_BUS) -> int:
    """N of the `class/i2c-dev/i2c-N` link whose target contains `device_id` (else `default`)."""
    base = (sysfs if sysfs is not None else sysfs_root()) / "class" / "i2c-dev"
    try:
        entries = sorted(base.iterdir(), key=lambda p: p.name)
    except OSError:
        return default
    for entry in entries:
        if not entry.name.startswith("i2c-"):
            continue
        try:
            target = os.readlink(entry)
        except OSError:
            continue
        if device_id in target:
            try:
                return int(entry.name[len("i2c-"):])
            except ValueError:
                continue
    return default


@dataclass(frozen=True)
class BatteryReading:
    level: int                 # 0..11, -1 on error / not available
    raw: int | None = None     # the register byte
    available: bool = True     # False: no gauge on this board (not an alarm)
    problem: str | None = None


class BatteryGauge:
    """Reads the gauge through any SMBus (opened per read, as the original does)."""

    def __init__(self, open_bus: Callable[[], SMBusLike], bus_name: str = "i2c",
                 address: int = FUEL_GAUGE_ADDRESS, register: int = LEVEL_REGISTER) -> None:
        self._open_bus = open_bus
        self.bus_name = bus_name
        self.address = address
        self.register = register

    def read_raw(self) -> int:
        bus = self._open_bus()
        try:
            bus.write_byte(self.address, self.register)
            return int(bus.read_byte(self.address)) & 0xFF
        finally:
            bus.close()

    def read(self) -> BatteryReading:
        try:
            raw = self.read_raw()
        except OSError as exc:
            if is_no_device_error(exc):
                return BatteryReading(-1, available=False,
                                      problem=f"no fuel gauge (0x{self.address:02x} on {self.bus_name}): {exc}")
            return BatteryReading(-1, problem=f"fuel gauge read failed on {self.bus_name}: {exc}")
        level = level_from_raw(raw)
        problem = None if level >= 0 else f"fuel gauge byte 0x{raw:02x} is below the lowest level"
        return BatteryReading(level, raw=raw, problem=problem)

    def level(self) -> int:
        return self.read().level


def sim_gauge(source: Path | None = None) -> BatteryGauge:
    """The simulated car's gauge: the register emulator, level byte from `<sim_dir>/fuel_gauge`."""
    from drivers.smbus_emulators import EmulatedSMBus, FuelGaugeEmulator, level_from_file

    device = FuelGaugeEmulator(level_from_file(source if source is not None else sim_dir() / "fuel_gauge"))
    return BatteryGauge(lambda: EmulatedSMBus({FUEL_GAUGE_ADDRESS: device}), bus_name="simulated i2c")


def real_gauge(bus: int | None = None) -> BatteryGauge:
    number = bus if bus is not None else find_i2c_bus()
    return BatteryGauge(lambda: open_smbus(number), bus_name=str(i2c_device_path(number)))


def open_battery_gauge(mode: str | None = None, bus: int | None = None) -> BatteryGauge:
    """The gauge for DEEPRACER_HARDWARE (or `mode`): "real" or "sim"."""
    chosen = mode or hardware_mode()
    if chosen == "sim":
        return sim_gauge()
    if chosen == "real":
        return real_gauge(bus)
    raise ValueError(f"battery backend must be 'real' or 'sim', not {chosen!r}")
