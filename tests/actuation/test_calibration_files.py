"""calibration.json / led_values.json: original format and place, defaults, corrupt files, atomic writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from calibration.files import (
    DEFAULT_CALIBRATION,
    DEFAULT_LED_VALUES,
    LedValues,
    VehicleCalibration,
    bios_at_least_cut_off,
    calibration_file_problem,
    keep_corrupt_aside,
    load_calibration,
    load_led_values,
    parse_bios_version,
    save_calibration,
    save_led_values,
)
from calibration.maths import CalibrationRange

# What the original servo node (jsoncpp StyledWriter) writes for the defaults.
ORIGINAL_DEFAULT_FILE = """{
   "Calibration" : {
      "Motor" : {
         "max" : 1603500,
         "mid" : 1446000,
         "min" : 1311000,
         "polarity" : -1
      },
      "Servo" : {
         "max" : 1700000,
         "mid" : 1450000,
         "min" : 1200000,
         "polarity" : 1
      },
      "version" : 1
   }
}
"""

ORIGINAL_LED_FILE = """{
   "Led Values" : {
      "blue_pwm" : 10000000,
      "green_pwm" : 0,
      "red_pwm" : 0
   }
}
"""


def test_missing_file_is_created_with_the_original_defaults(state_dir: Path) -> None:
    result = load_calibration(bios_version="0.0.8")
    assert result.value == DEFAULT_CALIBRATION
    assert result.created and result.problem is None
    assert result.path == state_dir / "calibration.json"
    assert (state_dir / "calibration.json").read_text() == ORIGINAL_DEFAULT_FILE


def test_a_file_from_an_original_car_loads_unchanged(state_dir: Path) -> None:
    # compact, other key order, as another writer could produce it
    doc = {"Calibration": {"version": 1,
                           "Servo": {"polarity": 1, "min": 1310000, "mid": 1480000, "max": 1720000},
                           "Motor": {"min": 1311000, "max": 1662000, "polarity": -1, "mid": 1486500}}}
    path = state_dir / "calibration.json"
    path.write_text(json.dumps(doc))
    before = path.read_bytes()
    result = load_calibration(bios_version="0.0.8")
    assert result.problem is None and not result.created and not result.rewritten
    assert result.value == VehicleCalibration(
        servo=CalibrationRange(max=1_720_000, mid=1_480_000, min=1_310_000, polarity=1),
        motor=CalibrationRange(max=1_662_000, mid=1_486_500, min=1_311_000, polarity=-1))
    assert path.read_bytes() == before


def test_save_writes_the_original_layout(state_dir: Path) -> None:
    save_calibration(DEFAULT_CALIBRATION)
    assert (state_dir / "calibration.json").read_text() == ORIGINAL_DEFAULT_FILE
    assert json.loads(ORIGINAL_DEFAULT_FILE) == json.loads((state_dir / "calibration.json").read_text())


@pytest.mark.parametrize(("content", "reason"), [
    ('{"Calibration": {"Servo": {"max": 17', "not valid JSON"),
    ("", "not valid JSON"),
    ('{"Calibration": {"Servo": {"max": 1700000, "mid": 1450000, "min": 1200000, "polarity": 1}, '
     '"version": 1}}', 'no "Motor" object'),
    ('{"Calibration": {"Servo": {"max": 1700000, "mid": 1450000, "polarity": 1}, '
     '"Motor": {"max": 1603500, "mid": 1446000, "min": 1311000, "polarity": -1}, "version": 1}}',
     'Calibration.Servo has no "min"'),
    ('{"Calibration": {"Servo": {"max": 1700000, "mid": 1450000, "min": "x", "polarity": 1}, '
     '"Motor": {"max": 1603500, "mid": 1446000, "min": 1311000, "polarity": -1}, "version": 1}}',
     "Calibration.Servo.min is 'x', not an integer"),
    ('{"Calibration": {"Servo": {"max": 1200000, "mid": 1450000, "min": 1700000, "polarity": 1}, '
     '"Motor": {"max": 1603500, "mid": 1446000, "min": 1311000, "polarity": -1}, "version": 1}}',
     "Calibration.Servo: max (1200000) must be greater than min (1700000)"),
    ("[1, 2]", 'no "Calibration" object'),
])
def test_corrupt_or_partial_file_falls_back_to_defaults_and_is_reported(
        state_dir: Path, content: str, reason: str) -> None:
    path = state_dir / "calibration.json"
    path.write_text(content)
    result = load_calibration(bios_version="0.0.8")
    assert result.value == DEFAULT_CALIBRATION
    assert result.problem is not None and reason in result.problem
    assert "using the default calibration" in result.problem
    assert path.read_text() == content          # the evidence is kept, nothing overwritten


def test_binary_garbage_is_reported(state_dir: Path) -> None:
    (state_dir / "calibration.json").write_bytes(b"\xff\xfe\x00garbage")
    result = load_calibration(bios_version="0.0.8")
    assert result.value == DEFAULT_CALIBRATION and "not valid JSON" in (result.problem or "")


def _versionless(path: Path) -> str:
    doc = {"Calibration": {"Servo": {"max": 1720000, "mid": 1480000, "min": 1310000, "polarity": 1},
                           "Motor": {"max": 1662000, "mid": 1486500, "min": 1311000, "polarity": 1}}}
    path.write_text(json.dumps(doc))
    return path.read_text()


@pytest.mark.parametrize("bios", ["0.0.8", "0.0.10", "0.1.0", "1.0.0", None, "", "garbage"])
def test_old_versionless_file_on_new_bios_is_replaced_by_defaults(state_dir: Path, bios: str | None,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    monkeypatch.setenv("DEEPRACER_SYSFS_ROOT", str(tmp_path / "no-sys"))   # unreadable -> 0.0.8
    path = state_dir / "calibration.json"
    _versionless(path)
    result = load_calibration(bios_version=bios)
    assert result.value == DEFAULT_CALIBRATION and result.rewritten
    assert "old calibration file" in (result.problem or "")
    assert path.read_text() == ORIGINAL_DEFAULT_FILE


@pytest.mark.parametrize("bios", ["0.0.7", "0.0.1"])
def test_versionless_file_on_old_bios_is_used(state_dir: Path, bios: str) -> None:
    path = state_dir / "calibration.json"
    content = _versionless(path)
    result = load_calibration(bios_version=bios)
    assert result.problem is None
    assert result.value.motor == CalibrationRange(max=1_662_000, mid=1_486_500, min=1_311_000, polarity=1)
    assert path.read_text() == content


def test_bios_version_comes_from_dmi(state_dir: Path, sysfs_root: Path) -> None:
    dmi = sysfs_root / "class" / "dmi" / "id"
    dmi.mkdir(parents=True)
    (dmi / "bios_version").write_text("0.0.5\n")
    content = _versionless(state_dir / "calibration.json")
    assert load_calibration().problem is None
    assert (state_dir / "calibration.json").read_text() == content


def test_bios_comparison_is_the_originals() -> None:
    assert parse_bios_version("0.0.8") == (0, 0, 8)
    assert parse_bios_version(" 1.2") == (1, 2, 0)
    assert parse_bios_version("x") == (0, 0, 8)
    assert bios_at_least_cut_off((0, 1, 0)) and bios_at_least_cut_off((0, 0, 9))
    assert not bios_at_least_cut_off((0, 0, 7))


def test_save_replaces_the_file_and_leaves_no_temporary_files(state_dir: Path) -> None:
    # (a save killed half-way: runtime/atomic.py, tests/foundation/test_atomic_write_crash.py)
    path = state_dir / "calibration.json"
    path.write_text(ORIGINAL_DEFAULT_FILE)  # an existing (valid) file: replaced; a corrupt one is kept aside
    cal = VehicleCalibration(servo=CalibrationRange(max=1_720_000, mid=1_480_000, min=1_310_000, polarity=1))
    save_calibration(cal)
    assert load_calibration().value == cal
    assert sorted(p.name for p in state_dir.iterdir()) == ["calibration.json"]


def test_read_only_load_does_not_create_files(state_dir: Path) -> None:
    result = load_calibration(write_defaults=False)
    assert result.value == DEFAULT_CALIBRATION and "missing" in (result.problem or "")
    assert not (state_dir / "calibration.json").exists()


def test_led_values_default_file_and_round_trip(state_dir: Path) -> None:
    result = load_led_values()
    assert result.value == DEFAULT_LED_VALUES == LedValues(red_pwm=0, green_pwm=0, blue_pwm=10_000_000)
    assert result.created
    assert (state_dir / "led_values.json").read_text() == ORIGINAL_LED_FILE
    save_led_values(LedValues(red_pwm=9_999_825, green_pwm=39_215, blue_pwm=0))
    assert load_led_values().value == LedValues(9_999_825, 39_215, 0)


@pytest.mark.parametrize("content", [
    "{", '{"Led Values": {"red_pwm": 0, "green_pwm": 0}}', '{"Led Values": {"red_pwm": 0, '
    '"green_pwm": 0, "blue_pwm": 20000000}}', '{"Led": {}}'])
def test_corrupt_led_file_falls_back_to_blue(state_dir: Path, content: str) -> None:
    (state_dir / "led_values.json").write_text(content)
    result = load_led_values()
    assert result.value == DEFAULT_LED_VALUES
    assert "using the default tail light colour" in (result.problem or "")
    assert (state_dir / "led_values.json").read_text() == content


CORRUPT = '{"Calibration": {"Servo": {"max": 17'


@pytest.mark.parametrize("content", [CORRUPT, "", "[1, 2]", '{"Calibration": {"Servo": {}}}'])
def test_a_corrupt_file_is_flagged_and_described(state_dir: Path, content: str) -> None:
    path = state_dir / "calibration.json"
    path.write_text(content)
    assert load_calibration(bios_version="0.0.8").corrupt
    problem = calibration_file_problem()
    assert problem is not None and "using the default calibration" in problem
    assert path.read_text() == content


def test_good_missing_and_old_files_are_not_corrupt(state_dir: Path) -> None:
    assert calibration_file_problem() is None                     # missing: created with defaults at start
    assert not (state_dir / "calibration.json").exists()          # looking writes nothing
    save_calibration(DEFAULT_CALIBRATION)
    assert calibration_file_problem() is None and not load_calibration().corrupt
    _versionless(state_dir / "calibration.json")                  # old format: replaced by the BIOS rule, not corrupt
    assert calibration_file_problem() is None


def test_saving_over_a_corrupt_file_keeps_it_aside(state_dir: Path) -> None:
    path = state_dir / "calibration.json"
    path.write_text(CORRUPT)
    cal = VehicleCalibration(servo=CalibrationRange(max=1720000, mid=1480000, min=1310000, polarity=1))
    save_calibration(cal)
    asides = sorted(state_dir.glob("calibration.json.corrupt-*"))
    assert len(asides) == 1 and asides[0].read_text() == CORRUPT
    assert re.fullmatch(r"calibration\.json\.corrupt-\d{8}T\d{6}Z", asides[0].name)
    assert load_calibration().value == cal and calibration_file_problem() is None
    save_calibration(DEFAULT_CALIBRATION)                          # a good file is simply replaced
    assert sorted(state_dir.glob("calibration.json.corrupt-*")) == asides
    path.write_text("again")                                       # a second corrupt file: a second name
    path2 = keep_corrupt_aside()
    assert path2 is not None and path2.read_text() == "again" and path2 != asides[0]
    assert not path.exists() and keep_corrupt_aside() is None
