"""The servo node's logic without ROS: commands -> calibrated PWM, tail light, servo power, watchdog.

`ServoController` owns the five PWM channels and the servo power GPIO:

- `drive(angle, throttle)`: normalised commands through the calibration maths (bit-exact with the
  original, then clamped to the calibrated [min, max]); an axis outside [-1, 1] is ignored.
- `raw(angle, throttle)`: calibration preview in ns; negative = leave that axis (the console sends
  -1.0 for the other axis); otherwise only pulses inside the safe window (0.5..2.5 ms) are written.
- `neutral()`: throttle at the motor mid (stopped), steering at the servo mid (centred).
- `set_power(value)`: the original's ServoGPIOSrv semantics, 0 = power enabled, 1 = disabled.
- calibration and tail light get/set with validation, atomic file writes, and nothing changed on error.
- `shutdown()`: neutral, tail light off, power off (also what SIGTERM and crashes lead to).

`CommandWatchdog`: "no fresh command for `timeout` seconds" with an injectable clock.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from calibration.files import (
    LedValues,
    VehicleCalibration,
    keep_corrupt_aside,
    save_calibration,
    save_led_values,
)
from calibration.maths import (
    LED_OFF,
    PERIOD_NS,
    SAFE_PULSE_MAX_NS,
    SAFE_PULSE_MIN_NS,
    CalibrationError,
    CommandOutOfRange,
    command_to_duty,
    validate_calibration,
    validate_led_pwm,
)
from drivers.gpio import GpioPin
from drivers.pwm import (
    ALL_CHANNELS,
    LED_BLUE_CHANNEL,
    LED_GREEN_CHANNEL,
    LED_RED_CHANNEL,
    SERVO_POWER_OFF,
    SERVO_POWER_ON,
    STEERING_CHANNEL,
    THROTTLE_CHANNEL,
    PwmOutput,
)
from vehicle.calibration import CalibrationRange


class ActuationError(RuntimeError):
    """A request the actuators refused or could not carry out; `str()` is the reason."""


@dataclass
class DriveResult:
    throttle_ns: int | None = None
    steering_ns: int | None = None
    problems: list[str] = field(default_factory=list)


class ServoController:
    """Thread-safe owner of throttle, steering, tail light and servo power."""

    def __init__(self, pwm: PwmOutput, calibration: VehicleCalibration, led_values: LedValues,
                 power: GpioPin | None = None, calibration_path: Path | None = None,
                 led_values_path: Path | None = None, raw_min_ns: int = SAFE_PULSE_MIN_NS,
                 raw_max_ns: int = SAFE_PULSE_MAX_NS) -> None:
        self.pwm = pwm
        self.power = power
        self.calibration = calibration
        self.led_values = led_values
        self.calibration_path = calibration_path
        self.led_values_path = led_values_path
        self.raw_min_ns = raw_min_ns
        self.raw_max_ns = raw_max_ns
        self._lock = threading.RLock()
        self._power_value: int | None = None
        self._shut_down = False

    # -- start / stop ------------------------------------------------------------------------
    def start(self) -> list[str]:
        """Periods on all channels, throttle/steering neutral, tail light from file, power off.

        Returns the problems (a channel that could not be set up); the rest is still set up.
        """
        problems = []
        with self._lock:
            for channel in ALL_CHANNELS:
                try:
                    self.pwm.configure(channel, PERIOD_NS)
                except (OSError, ValueError) as exc:
                    problems.append(f"PWM channel {channel}: {exc}")
            problems += self._write_all(self._neutral_duties())
            problems += self._write_all(self._led_duties(self.led_values))
            try:
                self.set_power(SERVO_POWER_OFF)
            except ActuationError as exc:
                problems.append(str(exc))
        return problems

    def shutdown(self) -> list[str]:
        """Neutral, tail light off, servo power off; never raises (returns the problems).

        Afterwards every command is refused, so a callback still in flight cannot drive again.
        """
        with self._lock:
            self._shut_down = True
            # forced: written even if our cache says so already (a failed write must not stay unnoticed)
            problems = self._write_all(self._neutral_duties(), force=True)
            problems += self._write_all({LED_RED_CHANNEL: LED_OFF, LED_GREEN_CHANNEL: LED_OFF,
                                         LED_BLUE_CHANNEL: LED_OFF}, force=True)
            try:
                self.set_power(SERVO_POWER_OFF)
            except ActuationError as exc:
                problems.append(str(exc))
        return problems

    # -- helpers -----------------------------------------------------------------------------
    def _neutral_duties(self) -> dict[int, int]:
        return {THROTTLE_CHANNEL: self.calibration.motor.mid, STEERING_CHANNEL: self.calibration.servo.mid}

    @staticmethod
    def _led_duties(values: LedValues) -> dict[int, int]:
        return {LED_RED_CHANNEL: values.red_pwm, LED_GREEN_CHANNEL: values.green_pwm,
                LED_BLUE_CHANNEL: values.blue_pwm}

    def _write(self, channel: int, duty: int, force: bool = False) -> None:
        if not force and self.pwm.duty(channel) == duty:
            return
        self.pwm.set_duty(channel, duty)

    def _write_all(self, duties: dict[int, int], force: bool = False) -> list[str]:
        problems = []
        for channel, duty in duties.items():
            try:
                self._write(channel, duty, force)
            except (OSError, ValueError) as exc:
                problems.append(f"PWM channel {channel}: {exc}")
        return problems

    # -- commands ----------------------------------------------------------------------------
    def drive(self, angle: float, throttle: float) -> DriveResult:
        """Normalised command; an axis outside [-1, 1] is ignored (reported), never clamped into motion."""
        result = DriveResult()
        with self._lock:
            if self._shut_down:
                result.problems.append("actuators are shut down; command ignored")
                return result
            for axis, value, cal, channel in (("throttle", throttle, self.calibration.motor, THROTTLE_CHANNEL),
                                              ("angle", angle, self.calibration.servo, STEERING_CHANNEL)):
                try:
                    duty = command_to_duty(value, cal)
                except CommandOutOfRange as exc:
                    result.problems.append(f"{axis}: {exc}; ignored")
                    continue
                self._apply(result, axis, channel, duty)
        return result

    def raw(self, angle: float, throttle: float) -> DriveResult:
        """Raw ns per axis (calibration preview): negative = untouched, else must be in the safe window."""
        result = DriveResult()
        with self._lock:
            if self._shut_down:
                result.problems.append("actuators are shut down; command ignored")
                return result
            for axis, value, channel in (("throttle", throttle, THROTTLE_CHANNEL),
                                         ("angle", angle, STEERING_CHANNEL)):
                if isinstance(value, float) and math.isnan(value):
                    result.problems.append(f"{axis}: raw value is NaN; ignored")
                    continue
                if value < 0:
                    continue
                duty = int(value)
                if not self.raw_min_ns <= duty <= self.raw_max_ns:
                    result.problems.append(f"{axis}: raw pulse {duty} ns outside the safe window "
                                           f"{self.raw_min_ns}..{self.raw_max_ns} ns; ignored")
                    continue
                self._apply(result, axis, channel, duty)
        return result

    def _apply(self, result: DriveResult, axis: str, channel: int, duty: int) -> None:
        """Write one axis (lock held) and record the duty, or the problem, in `result`."""
        try:
            self._write(channel, duty)
        except (OSError, ValueError) as exc:
            result.problems.append(f"{axis}: {exc}")
            return
        if channel == THROTTLE_CHANNEL:
            result.throttle_ns = duty
        else:
            result.steering_ns = duty

    def neutral(self) -> list[str]:
        with self._lock:
            return self._write_all(self._neutral_duties())

    def is_neutral(self) -> bool:
        with self._lock:
            return all(self.pwm.duty(ch) == duty for ch, duty in self._neutral_duties().items())

    # -- servo power -------------------------------------------------------------------------
    def set_power(self, value: int) -> None:
        """ServoGPIOSrv semantics: 0 = enable servo/ESC power, 1 = disable."""
        if isinstance(value, bool) or value not in (SERVO_POWER_ON, SERVO_POWER_OFF):
            raise ActuationError(f"servo GPIO value must be 0 (enable) or 1 (disable), not {value!r}")
        with self._lock:
            if self._shut_down and value == SERVO_POWER_ON:
                raise ActuationError("actuators are shut down; servo power stays off")
            if self.power is None:
                if value == SERVO_POWER_ON:
                    raise ActuationError("no servo power GPIO on this car")
                return
            try:
                self.power.write(value)
            except (OSError, ValueError) as exc:
                raise ActuationError(f"servo power GPIO: {exc}") from exc
            self._power_value = value

    @property
    def power_value(self) -> int | None:
        return self._power_value

    # -- calibration ---------------------------------------------------------------------------
    def get_calibration(self, cal_type: int) -> CalibrationRange:
        try:
            return self.calibration.get(cal_type)
        except CalibrationError as exc:
            raise ActuationError(str(exc)) from exc

    def set_calibration(self, cal_type: int, cal: CalibrationRange) -> Path | None:
        """Validate, save atomically, then use; on any error nothing changes (ActuationError says why).

        Returns where a corrupt calibration file was kept aside (`calibration.json.corrupt-<time>`), if any."""
        with self._lock:
            try:
                validate_calibration(cal)
                updated = self.calibration.with_range(cal_type, cal)
            except CalibrationError as exc:
                raise ActuationError(f"calibration rejected: {exc}") from exc
            try:
                aside = keep_corrupt_aside(self.calibration_path)
                save_calibration(updated, self.calibration_path)
            except OSError as exc:
                raise ActuationError(f"calibration not saved: {exc}") from exc
            self.calibration = updated
            return aside

    # -- tail light ----------------------------------------------------------------------------
    def get_led(self) -> LedValues:
        return self.led_values

    def set_led(self, red: int, green: int, blue: int) -> None:
        with self._lock:
            try:
                values = LedValues(*validate_led_pwm(red, green, blue))
            except CalibrationError as exc:
                raise ActuationError(str(exc)) from exc
            problems = self._write_all(self._led_duties(values))
            if problems:
                raise ActuationError("; ".join(problems))
            try:
                save_led_values(values, self.led_values_path)
            except OSError as exc:
                self.led_values = values
                raise ActuationError(f"tail light set but not saved: {exc}") from exc
            self.led_values = values


class CommandWatchdog:
    """Tracks the age of the last command; `expired()` is True once it is older than `timeout`."""

    def __init__(self, timeout: float, clock: Callable[[], float] = time.monotonic) -> None:
        if not timeout > 0:
            raise ValueError(f"watchdog timeout must be > 0 s, not {timeout!r}")
        self.timeout = float(timeout)
        self.clock = clock
        self._last: float | None = None
        self._tripped = True  # nothing to stop before the first command

    def feed(self) -> None:
        self._last = self.clock()
        self._tripped = False

    def age(self) -> float | None:
        return None if self._last is None else self.clock() - self._last

    def check(self) -> bool:
        """True exactly once per silence: when a fed watchdog first finds its command too old."""
        if self._tripped or self._last is None:
            return False
        if self.clock() - self._last > self.timeout:
            self._tripped = True
            return True
        return False

    def trip(self) -> bool:
        """Mark as expired now (e.g. raw pulses took over the outputs); True if it was running."""
        was_running = not self._tripped
        self._tripped = True
        return was_running

    def trip_if_older(self, seconds: float) -> bool:
        """Expire now if the last command is at least `seconds` old (a QoS deadline event confirms a
        silence this way, so commands still arriving from a publisher without a deadline are never cut)."""
        age = self.age()
        if self._tripped or age is None or age < seconds:
            return False
        self._tripped = True
        return True

    @property
    def running(self) -> bool:
        return not self._tripped
