"""calibration.json and led_values.json in the original format and place.

`/opt/aws/deepracer/calibration.json` (DEEPRACER_STATE_DIR), as jsoncpp's StyledWriter writes it
(3-space indent, `"key" : value`, keys sorted):

    {"Calibration": {"Motor": {"max": 1603500, "mid": 1446000, "min": 1311000, "polarity": -1},
                     "Servo": {"max": 1700000, "mid": 1450000, "min": 1200000, "polarity": 1},
                     "version": 1}}

`/opt/aws/deepracer/led_values.json`: {"Led Values": {"blue_pwm": 10000000, "green_pwm": 0, "red_pwm": 0}}

Loading never fails: a missing file is created with the defaults (as the original); a corrupt,
partial or unsafe file leaves the file untouched, the defaults in use and the reason in
`LoadResult.problem` for the caller to report (`LoadResult.corrupt`; `calibration_file_problem()`
tells the console and `deepracer status`, which read the same file). When a new calibration is saved
over a corrupt file, the corrupt one is kept aside as `calibration.json.corrupt-<UTC time>`.
A file from an original car loads unchanged.
The original's BIOS rule is kept: on BIOS >= 0.0.8 (its field-wise comparison; unreadable counts as
0.0.8) a calibration file without "version" predates the polarity fix and is replaced by defaults.
Writes are atomic (temp file, fsync, rename).
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from calibration.maths import (
    DEFAULT_MOTOR,
    DEFAULT_SERVO,
    LED_OFF,
    LED_ON,
    CalibrationError,
    validate_calibration,
    validate_led_pwm,
)
from runtime import paths
from runtime.atomic import atomic_write_text
from vehicle.calibration import CAL_TYPE_MOTOR, CAL_TYPE_SERVO, CalibrationKind, CalibrationRange

CALIBRATION_FILE_VERSION = 1
BIOS_CUT_OFF = (0, 0, 8)
HEADER_KEY = "Calibration"
LED_HEADER_KEY = "Led Values"

T = TypeVar("T")


@dataclass(frozen=True)
class VehicleCalibration:
    servo: CalibrationRange = DEFAULT_SERVO   # steering, cal_type 0
    motor: CalibrationRange = DEFAULT_MOTOR   # throttle, cal_type 1

    def get(self, cal_type: int) -> CalibrationRange:
        if cal_type == CAL_TYPE_SERVO:
            return self.servo
        if cal_type == CAL_TYPE_MOTOR:
            return self.motor
        raise CalibrationError(f"unknown calibration type {cal_type} (0 steering, 1 throttle)")

    def with_range(self, cal_type: int, cal: CalibrationRange) -> VehicleCalibration:
        if cal_type == CAL_TYPE_SERVO:
            return VehicleCalibration(servo=cal, motor=self.motor)
        if cal_type == CAL_TYPE_MOTOR:
            return VehicleCalibration(servo=self.servo, motor=cal)
        raise CalibrationError(f"unknown calibration type {cal_type} (0 steering, 1 throttle)")


@dataclass(frozen=True)
class LedValues:
    red_pwm: int = LED_OFF
    green_pwm: int = LED_OFF
    blue_pwm: int = LED_ON

    def as_tuple(self) -> tuple[int, int, int]:
        return self.red_pwm, self.green_pwm, self.blue_pwm


DEFAULT_CALIBRATION = VehicleCalibration()
DEFAULT_LED_VALUES = LedValues()


@dataclass(frozen=True)
class LoadResult(Generic[T]):
    """What was loaded; `problem` is None when the file was used as is."""

    value: T
    path: Path
    problem: str | None = None
    created: bool = False      # the file was missing and has been written with the defaults
    rewritten: bool = False    # an old (version-less) calibration file was replaced by the defaults
    corrupt: bool = False      # the file is there but unreadable or invalid: the defaults are in use


def render_json(obj: Any) -> str:
    """jsoncpp StyledWriter layout: 3-space indent, `"key" : value`, sorted keys, trailing newline."""
    return json.dumps(obj, indent=3, sort_keys=True, separators=(",", " : ")) + "\n"


# -- calibration.json ------------------------------------------------------------------------------

def calibration_document(cal: VehicleCalibration) -> dict[str, Any]:
    return {HEADER_KEY: {CAL_TYPE_SERVO.file_key: cal.servo.as_dict(), CAL_TYPE_MOTOR.file_key: cal.motor.as_dict(),
                         "version": CALIBRATION_FILE_VERSION}}


def save_calibration(cal: VehicleCalibration, path: Path | None = None) -> Path:
    """Write the calibration atomically; a corrupt file there is kept aside first (`keep_corrupt_aside`)."""
    target = path if path is not None else paths.calibration_file()
    keep_corrupt_aside(target)
    atomic_write_text(target, render_json(calibration_document(cal)))
    return target


CORRUPT_SUFFIX = ".corrupt-"
UNREADABLE_NOTICE = "calibration file was unreadable, defaults in use; recalibrate"


def keep_corrupt_aside(path: Path | None = None) -> Path | None:
    """Rename a corrupt calibration file to `<name>.corrupt-<UTC time>` (the evidence, for whoever
    investigates) so a new calibration can take its place; returns the new name, or None when the
    file is missing or valid. Raises OSError when it cannot be renamed (nothing is overwritten then)."""
    target = path if path is not None else paths.calibration_file()
    result = load_calibration(target, write_defaults=False, bios_version="0.0.0")  # the content, not the BIOS rule
    if not result.corrupt or not (target.exists() or target.is_symlink()):
        return None
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    aside = target.with_name(f"{target.name}{CORRUPT_SUFFIX}{stamp}")
    counter = 1
    while aside.exists() or aside.is_symlink():
        counter += 1
        aside = target.with_name(f"{target.name}{CORRUPT_SUFFIX}{stamp}-{counter}")
    os.rename(target, aside)
    return aside


def calibration_file_problem(path: Path | None = None) -> str | None:
    """Why the calibration file cannot be used (the defaults are in use), or None when it is fine or
    missing (a missing file is created with the defaults at start, as the original). Read-only."""
    target = path if path is not None else paths.calibration_file()
    result = load_calibration(target, write_defaults=False, bios_version="0.0.0")
    return result.problem if result.corrupt else None


def parse_bios_version(text: str | None) -> tuple[int, int, int]:
    """Like the original's sscanf("%d.%d.%d"): missing or unparsable -> the cut-off 0.0.8."""
    match = re.match(r"\s*([+-]?\d+)(?:\.([+-]?\d+)(?:\.([+-]?\d+))?)?", text or "")
    if not match:
        return BIOS_CUT_OFF
    return tuple(int(g) if g is not None else 0 for g in match.groups())  # type: ignore[return-value]


def bios_at_least_cut_off(version: tuple[int, int, int], cut_off: tuple[int, int, int] = BIOS_CUT_OFF) -> bool:
    """The original's comparison: any field greater, or all equal (so 0.1.0 and 1.0.0 qualify)."""
    return any(a > b for a, b in zip(version, cut_off, strict=True)) or version == cut_off


def read_bios_version() -> str | None:
    try:
        return (paths.dmi_dir() / "bios_version").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None


def _int_field(section: dict[str, Any], key: str, where: str) -> int:
    if key not in section:
        raise CalibrationError(f"{where} has no \"{key}\"")
    value = section[key]
    if isinstance(value, bool):
        raise CalibrationError(f"{where}.{key} is {value!r}, not an integer")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, int):
        raise CalibrationError(f"{where}.{key} is {value!r}, not an integer")
    return value


def parse_calibration_document(doc: Any) -> VehicleCalibration:
    """The two ranges of a calibration.json document; raises CalibrationError naming what is wrong."""
    if not isinstance(doc, dict) or not isinstance(doc.get(HEADER_KEY), dict):
        raise CalibrationError(f"no \"{HEADER_KEY}\" object")
    header = doc[HEADER_KEY]
    ranges = {}
    for kind in CalibrationKind:
        name = kind.file_key
        section = header.get(name)
        if not isinstance(section, dict):
            raise CalibrationError(f"no \"{name}\" object in \"{HEADER_KEY}\"")
        where = f"{HEADER_KEY}.{name}"
        cal = CalibrationRange(max=_int_field(section, "max", where), mid=_int_field(section, "mid", where),
                               min=_int_field(section, "min", where),
                               polarity=_int_field(section, "polarity", where))
        try:
            validate_calibration(cal)
        except CalibrationError as exc:
            raise CalibrationError(f"{where}: {exc}") from None
        ranges[kind] = cal
    return VehicleCalibration(servo=ranges[CAL_TYPE_SERVO], motor=ranges[CAL_TYPE_MOTOR])


def _read_or_create(target: Path, default: T, save: Any, write_defaults: bool,
                    what: str) -> bytes | LoadResult[T]:
    """The file's bytes, or the LoadResult for a missing (created with `default` when
    `write_defaults`) or unreadable file; `what` names the fallback in the problem text."""
    try:
        return target.read_bytes()
    except FileNotFoundError:
        if write_defaults:
            try:
                save(default, target)
            except OSError as exc:
                return LoadResult(default, target, f"{target} is missing and could not be "
                                  f"created ({exc}); using the default {what}")
            return LoadResult(default, target, created=True)
        return LoadResult(default, target, f"{target} is missing; using the default {what}")
    except OSError as exc:
        return LoadResult(default, target, f"{target} is unreadable ({exc}); using the default {what}",
                          corrupt=True)


def load_calibration(path: Path | None = None, write_defaults: bool = True,
                     bios_version: str | None = None) -> LoadResult[VehicleCalibration]:
    """Read calibration.json; see the module docstring for the fallbacks (never raises)."""
    target = path if path is not None else paths.calibration_file()
    raw = _read_or_create(target, DEFAULT_CALIBRATION, save_calibration, write_defaults, "calibration")
    if isinstance(raw, LoadResult):
        return raw
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        return LoadResult(DEFAULT_CALIBRATION, target, f"{target} is not valid JSON ({exc}); "
                          "using the default calibration", corrupt=True)
    try:
        cal = parse_calibration_document(doc)
    except CalibrationError as exc:
        return LoadResult(DEFAULT_CALIBRATION, target, f"{target} is invalid ({exc}); "
                          "using the default calibration", corrupt=True)
    if "version" not in doc[HEADER_KEY]:
        bios = bios_version if bios_version is not None else read_bios_version()
        if bios_at_least_cut_off(parse_bios_version(bios)):
            problem = (f"{target} is an old calibration file (no \"version\") on BIOS {bios or 'unknown'}; "
                       "replaced by the default calibration, please recalibrate")
            if write_defaults:
                try:
                    save_calibration(DEFAULT_CALIBRATION, target)
                except OSError as exc:
                    problem += f" (could not rewrite it: {exc})"
                    return LoadResult(DEFAULT_CALIBRATION, target, problem)
                return LoadResult(DEFAULT_CALIBRATION, target, problem, rewritten=True)
            return LoadResult(DEFAULT_CALIBRATION, target, problem)
    return LoadResult(cal, target)


# -- led_values.json -------------------------------------------------------------------------------

def led_values_document(values: LedValues) -> dict[str, Any]:
    return {LED_HEADER_KEY: {"red_pwm": values.red_pwm, "green_pwm": values.green_pwm,
                             "blue_pwm": values.blue_pwm}}


def save_led_values(values: LedValues, path: Path | None = None) -> Path:
    target = path if path is not None else paths.led_values_file()
    atomic_write_text(target, render_json(led_values_document(values)))
    return target


def parse_led_values_document(doc: Any) -> LedValues:
    if not isinstance(doc, dict) or not isinstance(doc.get(LED_HEADER_KEY), dict):
        raise CalibrationError(f"no \"{LED_HEADER_KEY}\" object")
    section = doc[LED_HEADER_KEY]
    where = LED_HEADER_KEY
    values = (_int_field(section, "red_pwm", where), _int_field(section, "green_pwm", where),
              _int_field(section, "blue_pwm", where))
    validate_led_pwm(*values)
    return LedValues(*values)


def load_led_values(path: Path | None = None, write_defaults: bool = True) -> LoadResult[LedValues]:
    """Read led_values.json (missing: created with blue on; corrupt: defaults + problem)."""
    target = path if path is not None else paths.led_values_file()
    raw = _read_or_create(target, DEFAULT_LED_VALUES, save_led_values, write_defaults, "tail light colour")
    if isinstance(raw, LoadResult):
        return raw
    try:
        values = parse_led_values_document(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError, CalibrationError) as exc:
        return LoadResult(DEFAULT_LED_VALUES, target, f"{target} is invalid ({exc}); "
                          "using the default tail light colour")
    return LoadResult(values, target)
