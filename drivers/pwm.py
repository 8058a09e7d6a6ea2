"""PWM outputs for the ESC, the steering servo and the tail light, behind one small interface.

Channel map (both backends, as the original car): 0 throttle (ESC), 1 steering servo, 2/3/4 tail
light red/green/blue; 50 Hz (period 20 000 000 ns); duty in nanoseconds of high time.

- `SysfsPwm`: the kernel PWM class exactly like the original servo node: the chip is the
  `/sys/class/pwm/*` link whose target contains `0000:00:17.0` (else `pwmchip0`); `export` is
  written when `pwm<ch>` is missing; `period` then `duty_cycle` are decimal nanoseconds. The original
  never writes `enable`; kernels that leave a freshly exported channel disabled (generic PWM chips)
  get `1` written once, after the first valid duty, only when `enable` reads `0`.
- `PCA9685Pwm`: a PCA9685 on an I2C bus (Raspberry Pi servo HATs, address 0x40), register level
  through `drivers.smbus.SMBusLike`: MODE1 sleep, PRE_SCALE for 50 Hz, wake with auto-increment,
  restart; each duty is one 4-byte LEDn_ON_L.. block write (12-bit ticks; full-off bit for 0).

`open_pwm()` picks the backend from arguments or the environment (DEEPRACER_PWM_BACKEND sysfs|pca9685,
DEEPRACER_PCA9685_BUS, DEEPRACER_PCA9685_ADDRESS); `make_outputs_safe()` is what the launcher's
supervisor runs when the process driving the car dies: neutral duty on throttle and steering
(calibrated mid) and servo power off.
"""

from __future__ import annotations

import abc
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from drivers.smbus import SMBusLike, open_smbus
from runtime.paths import sysfs_root

PERIOD_NS = 20_000_000
THROTTLE_CHANNEL = 0
STEERING_CHANNEL = 1
LED_RED_CHANNEL = 2
LED_GREEN_CHANNEL = 3
LED_BLUE_CHANNEL = 4
LED_CHANNELS = (LED_RED_CHANNEL, LED_GREEN_CHANNEL, LED_BLUE_CHANNEL)
ALL_CHANNELS = (THROTTLE_CHANNEL, STEERING_CHANNEL, *LED_CHANNELS)

PWM_DEVICE_ID = "0000:00:17.0"
SERVO_POWER_GPIO = 436  # value 0 = servo/ESC power enabled, 1 = disabled
SERVO_POWER_ON = 0
SERVO_POWER_OFF = 1

PCA9685_DEFAULT_ADDRESS = 0x40
PCA9685_DEFAULT_BUS = 1


class PwmError(OSError):
    """A PWM channel could not be exported or written (the message names the file or register)."""


class PwmOutput(abc.ABC):
    """A set of PWM channels with one period; duties in ns."""

    period_ns: int = PERIOD_NS

    @abc.abstractmethod
    def configure(self, channel: int, period_ns: int = PERIOD_NS) -> None:
        """Make `channel` usable (export it) and set its period."""

    @abc.abstractmethod
    def _write_duty(self, channel: int, duty_ns: int) -> None: ...

    def __init__(self) -> None:
        self._duties: dict[int, int] = {}
        self._lock = threading.Lock()

    def set_duty(self, channel: int, duty_ns: int) -> None:
        """Write the high time of `channel` in ns (0 <= duty <= period)."""
        duty_ns = int(duty_ns)
        if not 0 <= duty_ns <= self.period_ns:
            raise ValueError(f"duty {duty_ns} ns is outside 0..{self.period_ns} ns")
        with self._lock:
            self._write_duty(channel, duty_ns)
            self._duties[channel] = duty_ns

    def duty(self, channel: int) -> int | None:
        """The last duty written through this object (None if never)."""
        return self._duties.get(channel)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the device (the outputs keep their last duty)."""


class UnavailablePwm(PwmOutput):
    """Stands in when no PWM hardware could be opened: every use fails with the original reason."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason

    def configure(self, channel: int, period_ns: int = PERIOD_NS) -> None:
        raise PwmError(0, f"PWM unavailable: {self.reason}")

    def _write_duty(self, channel: int, duty_ns: int) -> None:
        raise PwmError(0, f"PWM unavailable: {self.reason}")


# -- sysfs -----------------------------------------------------------------------------------------

def pwm_class_dir(sysfs: Path | None = None) -> Path:
    return (sysfs if sysfs is not None else sysfs_root()) / "class" / "pwm"


def find_pwm_chip(sysfs: Path | None = None, device_id: str = PWM_DEVICE_ID) -> Path:
    """`<sysfs>/class/pwm/pwmchipN` whose link target contains `device_id`, else `pwmchip0`."""
    base = pwm_class_dir(sysfs)
    try:
        entries = sorted(base.iterdir(), key=lambda p: p.name)
    except OSError:
        entries = []
    for entry in entries:
        if entry.is_symlink() and entry.exists() and device_id in os.readlink(entry):
            return base / entry.name
    return base / "pwmchip0"


class SysfsPwm(PwmOutput):
    """The kernel PWM class (`/sys/class/pwm/pwmchipN/pwmM/{period,duty_cycle,enable}`)."""

    def __init__(self, chip: Path | None = None, sysfs: Path | None = None,
                 export_timeout: float = 2.0) -> None:
        super().__init__()
        self.chip = chip if chip is not None else find_pwm_chip(sysfs)
        self.export_timeout = export_timeout
        self._enabled: set[int] = set()

    def channel_dir(self, channel: int) -> Path:
        return self.chip / f"pwm{int(channel)}"

    def _write(self, path: Path, value: int | str) -> None:
        try:
            with open(path, "w") as handle:
                handle.write(str(value))
        except OSError as exc:
            raise PwmError(exc.errno or 0, f"cannot write {value} to {path}: {exc.strerror or exc}") from exc

    def export(self, channel: int) -> None:
        directory = self.channel_dir(channel)
        if directory.exists():
            return
        self._write(self.chip / "export", int(channel))
        deadline = time.monotonic() + self.export_timeout
        while not (directory / "duty_cycle").exists():
            if time.monotonic() > deadline:
                raise PwmError(0, f"{directory} did not appear after exporting channel {channel}")
            time.sleep(0.005)

    def configure(self, channel: int, period_ns: int = PERIOD_NS) -> None:
        with self._lock:
            self.export(channel)
            self._write(self.channel_dir(channel) / "period", int(period_ns))
            self.period_ns = int(period_ns)

    def _write_duty(self, channel: int, duty_ns: int) -> None:
        directory = self.channel_dir(channel)
        self._write(directory / "duty_cycle", duty_ns)
        if channel not in self._enabled:
            enable = directory / "enable"
            try:
                state = enable.read_text().strip()
            except OSError:
                state = ""
            if state == "0":
                self._write(enable, 1)
            self._enabled.add(channel)


# -- PCA9685 ---------------------------------------------------------------------------------------

PCA9685_MODE1 = 0x00
PCA9685_MODE2 = 0x01
PCA9685_LED0_ON_L = 0x06
PCA9685_PRE_SCALE = 0xFE
PCA9685_RESTART = 0x80
PCA9685_AI = 0x20
PCA9685_SLEEP = 0x10
PCA9685_ALLCALL = 0x01
PCA9685_OUTDRV = 0x04
PCA9685_FULL = 0x10
PCA9685_OSCILLATOR_HZ = 25_000_000


def pca9685_prescale(frequency_hz: float, oscillator_hz: float = PCA9685_OSCILLATOR_HZ) -> int:
    """PRE_SCALE = round(osc / (4096 * f)) - 1 (datasheet eq. 1); 121 for 50 Hz at 25 MHz."""
    value = round(oscillator_hz / (4096.0 * frequency_hz)) - 1
    if not 3 <= value <= 255:
        raise ValueError(f"{frequency_hz} Hz is outside the PCA9685 range")
    return value


class PCA9685Pwm(PwmOutput):
    """A PCA9685 16-channel PWM controller; our channel c is chip channel c + channel_offset."""

    def __init__(self, bus: SMBusLike, address: int = PCA9685_DEFAULT_ADDRESS,
                 frequency_hz: float = 1e9 / PERIOD_NS, oscillator_hz: float = PCA9685_OSCILLATOR_HZ,
                 channel_offset: int = 0, owns_bus: bool = False) -> None:
        super().__init__()
        self.bus = bus
        self.address = address
        self.oscillator_hz = oscillator_hz
        self.channel_offset = channel_offset
        self.prescale = pca9685_prescale(frequency_hz, oscillator_hz)
        self.tick_ns = (self.prescale + 1) * 1e9 / oscillator_hz
        self.period_ns = PERIOD_NS
        self._owns_bus = owns_bus
        self._initialised = False

    def _error(self, exc: OSError, what: str) -> PwmError:
        return PwmError(exc.errno or 0, f"PCA9685 at 0x{self.address:02x}: {what} failed: {exc}")

    def _read(self, register: int) -> int:
        try:
            return int(self.bus.read_byte_data(self.address, register))
        except OSError as exc:
            raise self._error(exc, f"read register 0x{register:02x}") from exc

    def _write(self, register: int, value: int) -> None:
        try:
            self.bus.write_byte_data(self.address, register, value)
        except OSError as exc:
            raise self._error(exc, f"write 0x{value:02x} to register 0x{register:02x}") from exc

    def initialise(self) -> None:
        """Program 50 Hz unless the chip already runs at it (no output glitch on a node restart)."""
        mode1 = self._read(PCA9685_MODE1)
        prescale = self._read(PCA9685_PRE_SCALE)
        running = not (mode1 & PCA9685_SLEEP) and (mode1 & PCA9685_AI)
        if running and prescale == self.prescale:
            self._initialised = True
            return
        self._write(PCA9685_MODE1, PCA9685_SLEEP | PCA9685_ALLCALL)   # sleep: PRE_SCALE is writable
        self._write(PCA9685_PRE_SCALE, self.prescale)
        self._write(PCA9685_MODE2, PCA9685_OUTDRV)                    # totem-pole outputs
        self._write(PCA9685_MODE1, PCA9685_AI | PCA9685_ALLCALL)      # wake, auto-increment
        time.sleep(0.0005)                                            # oscillator start-up: 500 us
        self._write(PCA9685_MODE1, PCA9685_RESTART | PCA9685_AI | PCA9685_ALLCALL)
        self._initialised = True

    def configure(self, channel: int, period_ns: int = PERIOD_NS) -> None:
        if abs(int(period_ns) - PERIOD_NS) > 0:
            raise ValueError(f"the PCA9685 backend runs every channel at {PERIOD_NS} ns, not {period_ns}")
        if not 0 <= channel + self.channel_offset <= 15:
            raise ValueError(f"channel {channel} (+{self.channel_offset}) is not a PCA9685 channel 0..15")
        with self._lock:
            if not self._initialised:
                self.initialise()

    def registers_for(self, duty_ns: int) -> list[int]:
        """LEDn_ON_L, ON_H, OFF_L, OFF_H for a high time of `duty_ns`."""
        if duty_ns <= 0:
            return [0x00, 0x00, 0x00, PCA9685_FULL]
        ticks = int(round(duty_ns / self.tick_ns))
        if ticks >= 4096:
            return [0x00, PCA9685_FULL, 0x00, 0x00]
        return [0x00, 0x00, ticks & 0xFF, (ticks >> 8) & 0x0F]

    def _write_duty(self, channel: int, duty_ns: int) -> None:
        if not self._initialised:
            self.initialise()
        register = PCA9685_LED0_ON_L + 4 * (channel + self.channel_offset)
        data = self.registers_for(duty_ns)
        try:
            self.bus.write_i2c_block_data(self.address, register, data)
        except OSError as exc:
            raise self._error(exc, f"write LED{channel + self.channel_offset}") from exc

    def close(self) -> None:
        if self._owns_bus:
            self.bus.close()


# -- selection -------------------------------------------------------------------------------------

def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw, 0) if raw else default


def pwm_backend_name() -> str:
    name = os.environ.get("DEEPRACER_PWM_BACKEND", "sysfs").strip().lower() or "sysfs"
    if name not in ("sysfs", "pca9685"):
        raise ValueError(f"DEEPRACER_PWM_BACKEND must be 'sysfs' or 'pca9685', not {name!r}")
    return name


def open_pwm(backend: str | None = None, pca9685_bus: int | None = None,
             pca9685_address: int | None = None, bus_factory: Callable[[int], SMBusLike] = open_smbus,
             ) -> PwmOutput:
    """The configured PWM backend (arguments win over DEEPRACER_PWM_BACKEND / _PCA9685_BUS / _ADDRESS)."""
    name = (backend or pwm_backend_name()).lower()
    if name == "sysfs":
        return SysfsPwm()
    if name == "pca9685":
        bus_number = pca9685_bus if pca9685_bus is not None else _env_int("DEEPRACER_PCA9685_BUS",
                                                                          PCA9685_DEFAULT_BUS)
        address = pca9685_address if pca9685_address is not None else _env_int(
            "DEEPRACER_PCA9685_ADDRESS", PCA9685_DEFAULT_ADDRESS)
        return PCA9685Pwm(bus_factory(bus_number), address=address, owns_bus=True)
    raise ValueError(f"unknown PWM backend {name!r} (sysfs or pca9685)")


def make_outputs_safe() -> list[str]:
    """Neutral throttle, centred steering (calibrated mids) and servo power off; never raises.

    Used by the supervisor after the actuation process ended unexpectedly and by tooling.
    Returns the problems met (empty when everything was made safe).
    """
    from calibration.files import load_calibration
    from drivers.gpio import SysfsGpio

    problems: list[str] = []
    calibration = load_calibration(write_defaults=False).value
    try:
        pwm = open_pwm()
    except Exception as exc:  # no PWM hardware reachable
        problems.append(f"PWM: {exc}")
    else:
        for channel, duty in ((THROTTLE_CHANNEL, calibration.motor.mid),
                              (STEERING_CHANNEL, calibration.servo.mid)):
            try:
                if isinstance(pwm, SysfsPwm) and not pwm.channel_dir(channel).exists():
                    continue  # never exported: nothing drives it
                pwm.set_duty(channel, duty)
            except Exception as exc:
                problems.append(f"PWM channel {channel}: {exc}")
        pwm.close()
    try:
        gpio = SysfsGpio()
        if (gpio.base / f"gpio{gpio.kernel_number(SERVO_POWER_GPIO)}").is_dir():
            gpio.pin(SERVO_POWER_GPIO, "out").write(SERVO_POWER_OFF)
    except Exception as exc:
        problems.append(f"servo power GPIO: {exc}")
    return problems
