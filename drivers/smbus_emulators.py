"""Register-level emulators of the car's I2C chips, behind the same SMBus interface as smbus2.

`EmulatedSMBus({address: device})` routes each transaction to the emulated chip at that address and
keeps a log of every transaction (`.transactions`) so tests can check the exact bytes a driver sent;
an address with no device raises OSError(ENXIO), as a real adapter does when nothing acknowledges.

- `PCA9685Emulator`: the NXP 16-channel 12-bit PWM controller (servo HATs, custom cars). Power-on
  register values, MODE1 SLEEP/AI/RESTART behaviour, PRE_SCALE only writable while asleep, LEDn_ON/OFF
  with the full-on / full-off bits, and `pulse_ns(channel)` for what the output pin would carry.
- `FuelGaugeEmulator`: the DeepRacer compute battery gauge at 0x3F. The driver writes the register
  pointer (0x03) with a "send byte" and then reads one byte; the level byte comes from a callable
  (the simulated car reads it from `<sim_dir>/fuel_gauge`).
"""

from __future__ import annotations

import errno
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

# -- PCA9685 register map (datasheet rev. 4) ------------------------------------------------------
MODE1 = 0x00
MODE2 = 0x01
SUBADR1 = 0x02
SUBADR2 = 0x03
SUBADR3 = 0x04
ALLCALLADR = 0x05
LED0_ON_L = 0x06
ALL_LED_ON_L = 0xFA
PRE_SCALE = 0xFE
TEST_MODE = 0xFF

MODE1_RESTART = 0x80
MODE1_EXTCLK = 0x40
MODE1_AI = 0x20
MODE1_SLEEP = 0x10
MODE1_ALLCALL = 0x01
MODE2_OUTDRV = 0x04
FULL_BIT = 0x10  # bit 4 of LEDn_ON_H (full on) and LEDn_OFF_H (full off)

INTERNAL_OSCILLATOR_HZ = 25_000_000

FUEL_GAUGE_ADDRESS = 0x3F
FUEL_GAUGE_LEVEL_REGISTER = 0x03
FUEL_GAUGE_FULL = 0xEC


class I2CDeviceEmulator:
    """A chip with 256 byte registers and a register pointer; subclasses add the chip's rules."""

    def __init__(self) -> None:
        self.registers = bytearray(256)
        self.pointer = 0
        self.lock = threading.RLock()

    # SMBus "send byte": most chips take it as the register pointer.
    def send_byte(self, value: int) -> None:
        with self.lock:
            self.pointer = value & 0xFF

    # SMBus "receive byte": read at the pointer.
    def receive_byte(self) -> int:
        with self.lock:
            return self.read_register(self.pointer)

    def read_register(self, register: int) -> int:
        with self.lock:
            return self.registers[register & 0xFF]

    def write_register(self, register: int, value: int) -> None:
        with self.lock:
            self.registers[register & 0xFF] = value & 0xFF

    def write_block(self, register: int, data: Sequence[int]) -> None:
        with self.lock:
            for offset, value in enumerate(data):
                self.write_register(register + offset, value)


class PCA9685Emulator(I2CDeviceEmulator):
    """PCA9685 registers and output timing."""

    def __init__(self, oscillator_hz: int = INTERNAL_OSCILLATOR_HZ) -> None:
        super().__init__()
        self.oscillator_hz = oscillator_hz
        self.reset()

    def reset(self) -> None:
        """Power-on values: asleep, ALLCALL, totem-pole outputs, every channel full off, ~200 Hz."""
        with self.lock:
            self.registers[:] = bytes(256)
            self.registers[MODE1] = MODE1_SLEEP | MODE1_ALLCALL
            self.registers[MODE2] = MODE2_OUTDRV
            self.registers[SUBADR1] = 0xE2
            self.registers[SUBADR2] = 0xE4
            self.registers[SUBADR3] = 0xE8
            self.registers[ALLCALLADR] = 0xE0
            for channel in range(16):
                self.registers[LED0_ON_L + 4 * channel + 3] = FULL_BIT
            self.registers[ALL_LED_ON_L + 3] = FULL_BIT
            self.registers[PRE_SCALE] = 0x1E
            self.pointer = 0

    @property
    def sleeping(self) -> bool:
        return bool(self.registers[MODE1] & MODE1_SLEEP)

    def write_register(self, register: int, value: int) -> None:
        register &= 0xFF
        value &= 0xFF
        with self.lock:
            if register == MODE1:
                old = self.registers[MODE1]
                new = value & ~MODE1_RESTART
                # Writing 1 to RESTART clears it (restart); otherwise it reads 1 after going to sleep
                # while PWM was running.
                if not (value & MODE1_RESTART) and (old & MODE1_RESTART):
                    new |= MODE1_RESTART
                if (value & MODE1_SLEEP) and not (old & MODE1_SLEEP):
                    new |= MODE1_RESTART
                self.registers[MODE1] = new
                return
            if register == PRE_SCALE:
                if not self.sleeping:
                    return  # ignored unless SLEEP is set (datasheet 7.3.5)
                self.registers[PRE_SCALE] = max(value, 3)  # hardware minimum is 3
                return
            if ALL_LED_ON_L <= register <= ALL_LED_ON_L + 3:
                offset = register - ALL_LED_ON_L
                for channel in range(16):
                    self.registers[LED0_ON_L + 4 * channel + offset] = value
                self.registers[register] = value
                return
            if register == TEST_MODE:
                return
            self.registers[register] = value

    def write_block(self, register: int, data: Sequence[int]) -> None:
        with self.lock:
            auto_increment = bool(self.registers[MODE1] & MODE1_AI)
            for offset, value in enumerate(data):
                self.write_register(register + offset if auto_increment else register, value)

    def channel_registers(self, channel: int) -> tuple[int, int, int, int]:
        base = LED0_ON_L + 4 * channel
        return tuple(self.registers[base:base + 4])  # type: ignore[return-value]

    def period_ns(self) -> float:
        return (self.registers[PRE_SCALE] + 1) * 4096 * 1e9 / self.oscillator_hz

    def frequency_hz(self) -> float:
        return 1e9 / self.period_ns()

    def pulse_ns(self, channel: int) -> float:
        """High time per period on the channel's pin (0 while asleep or full off)."""
        on_l, on_h, off_l, off_h = self.channel_registers(channel)
        if self.sleeping or off_h & FULL_BIT:
            return 0.0
        if on_h & FULL_BIT:
            return self.period_ns()
        on = ((on_h & 0x0F) << 8) | on_l
        off = ((off_h & 0x0F) << 8) | off_l
        ticks = (off - on) % 4096
        return ticks * self.period_ns() / 4096


class FuelGaugeEmulator(I2CDeviceEmulator):
    """The compute-battery gauge: register 0x03 holds the level byte (0xEC = full)."""

    def __init__(self, level: Callable[[], int] | int = FUEL_GAUGE_FULL) -> None:
        super().__init__()
        self._level = level

    def read_register(self, register: int) -> int:
        if (register & 0xFF) == FUEL_GAUGE_LEVEL_REGISTER:
            value = self._level() if callable(self._level) else self._level
            return int(value) & 0xFF
        return super().read_register(register)


def level_from_file(path: Path, default: int = FUEL_GAUGE_FULL) -> Callable[[], int]:
    """A level source reading `path` on every read: one integer 0..255 (decimal or 0x hex).

    Missing file: `default` (full). Unreadable or invalid content: an I/O error on the bus, as a
    real gauge that answers garbage would give the driver.
    """

    def read() -> int:
        try:
            text = path.read_text().strip()
        except FileNotFoundError:
            return default
        except OSError as exc:
            raise OSError(errno.EIO, f"fuel gauge source unreadable: {exc}") from exc
        try:
            value = int(text, 0) if text.lower().startswith("0x") else int(text)
        except ValueError as exc:
            raise OSError(errno.EIO, f"fuel gauge source {path} holds {text!r}, not 0..255") from exc
        if not 0 <= value <= 255:
            raise OSError(errno.EIO, f"fuel gauge source {path} holds {value}, not 0..255")
        return value

    return read


class EmulatedSMBus:
    """An I2C bus with emulated chips on it; implements `drivers.smbus.SMBusLike`."""

    def __init__(self, devices: Mapping[int, I2CDeviceEmulator]) -> None:
        self.devices = dict(devices)
        self.transactions: list[tuple[str, int, int | None, tuple[int, ...]]] = []
        self.closed = False

    def _device(self, i2c_addr: int) -> I2CDeviceEmulator:
        if self.closed:
            raise OSError(errno.EBADF, "bus closed")
        try:
            return self.devices[i2c_addr]
        except KeyError:
            raise OSError(errno.ENXIO, f"no device at I2C address 0x{i2c_addr:02x}") from None

    def write_byte(self, i2c_addr: int, value: int) -> None:
        device = self._device(i2c_addr)
        self.transactions.append(("write_byte", i2c_addr, None, (value & 0xFF,)))
        device.send_byte(value)

    def read_byte(self, i2c_addr: int) -> int:
        device = self._device(i2c_addr)
        value = device.receive_byte()
        self.transactions.append(("read_byte", i2c_addr, None, (value,)))
        return value

    def write_byte_data(self, i2c_addr: int, register: int, value: int) -> None:
        device = self._device(i2c_addr)
        self.transactions.append(("write_byte_data", i2c_addr, register, (value & 0xFF,)))
        device.write_register(register, value)

    def read_byte_data(self, i2c_addr: int, register: int) -> int:
        device = self._device(i2c_addr)
        value = device.read_register(register)
        self.transactions.append(("read_byte_data", i2c_addr, register, (value,)))
        return value

    def write_i2c_block_data(self, i2c_addr: int, register: int, data: Sequence[int]) -> None:
        device = self._device(i2c_addr)
        payload = tuple(int(v) & 0xFF for v in data)
        self.transactions.append(("write_i2c_block_data", i2c_addr, register, payload))
        device.write_block(register, payload)

    def close(self) -> None:
        self.closed = True

    def writes(self) -> list[tuple[str, int, int | None, tuple[int, ...]]]:
        """The write transactions only, in order."""
        return [t for t in self.transactions if t[0].startswith("write")]
