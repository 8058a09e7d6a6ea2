"""Calibration validation: the orderings the original rejects, plus polarity and the safe pulse window."""

from __future__ import annotations

import pytest

from calibration.maths import (
    DEFAULT_MOTOR,
    DEFAULT_SERVO,
    CalibrationError,
    CalibrationRange,
    validate_calibration,
    validate_led_pwm,
    validate_ordering,
)


@pytest.mark.parametrize(("max_", "mid", "min_", "reason"), [
    (1_500_000, 1_400_000, 1_500_000, "max (1500000) and min (1500000) must differ"),
    (1_500_000, 1_500_000, 1_400_000, "max (1500000) and mid (1500000) must differ"),
    (1_600_000, 1_400_000, 1_400_000, "min (1400000) and mid (1400000) must differ"),
    (1_300_000, 1_350_000, 1_400_000, "max (1300000) must be greater than min (1400000)"),
    (1_500_000, 1_600_000, 1_400_000, "max (1500000) must be greater than mid (1600000)"),
    (1_700_000, 1_300_000, 1_400_000, "mid (1300000) must be greater than min (1400000)"),
])
def test_orderings_the_original_rejects(max_: int, mid: int, min_: int, reason: str) -> None:
    with pytest.raises(CalibrationError) as info:
        validate_ordering(max_, mid, min_)
    assert str(info.value) == reason
    with pytest.raises(CalibrationError):
        validate_calibration(CalibrationRange(max=max_, mid=mid, min=min_, polarity=1))


def test_defaults_and_a_typical_calibration_are_accepted() -> None:
    assert validate_calibration(DEFAULT_SERVO) is DEFAULT_SERVO
    assert validate_calibration(DEFAULT_MOTOR) is DEFAULT_MOTOR
    validate_ordering(1_662_000, 1_486_500, 1_311_000)


@pytest.mark.parametrize("polarity", [0, 2, -2])
def test_polarity_must_be_plus_or_minus_one(polarity: int) -> None:
    with pytest.raises(CalibrationError, match=f"polarity must be 1 or -1, not {polarity}"):
        validate_calibration(CalibrationRange(max=1_700_000, mid=1_450_000, min=1_200_000, polarity=polarity))


def test_pulses_outside_the_safe_window_are_refused() -> None:
    with pytest.raises(CalibrationError, match=r"max \(2600000 ns\) is outside the safe pulse range"):
        validate_calibration(CalibrationRange(max=2_600_000, mid=1_450_000, min=1_200_000, polarity=1))
    with pytest.raises(CalibrationError, match=r"min \(100000 ns\)"):
        validate_calibration(CalibrationRange(max=1_700_000, mid=1_450_000, min=100_000, polarity=1))


def test_non_integers_are_refused() -> None:
    with pytest.raises(CalibrationError, match="max must be an integer"):
        validate_calibration(CalibrationRange(max=1.7e6, mid=1_450_000, min=1_200_000, polarity=1))  # type: ignore[arg-type]


def test_led_values_must_be_0_to_10_ms() -> None:
    assert validate_led_pwm(0, 10_000_000, 39_215) == (0, 10_000_000, 39_215)
    with pytest.raises(CalibrationError, match="LED green value 10000001"):
        validate_led_pwm(0, 10_000_001, 0)
    with pytest.raises(CalibrationError, match="LED red value -1"):
        validate_led_pwm(-1, 0, 0)
