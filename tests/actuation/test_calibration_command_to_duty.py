"""Normalised command -> duty: the original float32 formula, bit-exact, clamped, out-of-range ignored."""

from __future__ import annotations

import struct

import pytest

from calibration.maths import (
    DEFAULT_MOTOR,
    DEFAULT_SERVO,
    CalibrationRange,
    CommandOutOfRange,
    command_to_duty,
)


def f32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def reference_duty(value: float, cal: CalibrationRange) -> int:
    """The spec formula evaluated with float32 rounding after every operation (independent of numpy)."""
    adj = f32(f32(value) * cal.polarity)
    if adj < 0:
        return int(f32(f32(cal.mid) + f32(adj * f32(cal.mid - cal.min))))
    if adj > 0:
        return int(f32(f32(cal.mid) + f32(adj * f32(cal.max - cal.mid))))
    return cal.mid


# (value, steering duty with the default servo calibration, throttle duty with the default motor one)
TABLE = [
    (1.0, 1_700_000, 1_311_000),     # full left / full forward (motor polarity -1: below mid)
    (-1.0, 1_200_000, 1_603_500),    # full right / full reverse
    (0.0, 1_450_000, 1_446_000),     # centred / stopped
    (-0.0, 1_450_000, 1_446_000),
    (0.5, 1_575_000, 1_378_500),
    (-0.5, 1_325_000, 1_524_750),
    (0.25, 1_512_500, 1_412_250),
    (-0.25, 1_387_500, 1_485_375),
    (0.3, 1_525_000, 1_405_500),
    (-0.7, 1_275_000, 1_556_250),
    (0.123, 1_480_750, 1_429_395),
    (0.999, 1_699_750, 1_311_135),
    (-0.001, 1_449_750, 1_446_157),
    (0.8, 1_650_000, 1_338_000),
    (-0.8, 1_250_000, 1_572_000),
    # float32 matters: in double precision these give 1 ns less
    (-0.999, 1_200_250, 1_603_342),
    (-0.98, 1_205_000, 1_600_350),
]


@pytest.mark.parametrize(("value", "steering", "throttle"), TABLE)
def test_default_calibration_table(value: float, steering: int, throttle: int) -> None:
    assert command_to_duty(value, DEFAULT_SERVO) == steering == reference_duty(value, DEFAULT_SERVO)
    assert command_to_duty(value, DEFAULT_MOTOR) == throttle == reference_duty(value, DEFAULT_MOTOR)


def test_float32_differs_from_double_and_we_follow_float32() -> None:
    # -0.999 on the steering servo: double maths truncates to 1200249, the original (float) to 1200250
    value = f32(-0.999)
    double = int(DEFAULT_SERVO.mid + value * (DEFAULT_SERVO.mid - DEFAULT_SERVO.min))
    assert double == 1_200_249
    assert command_to_duty(value, DEFAULT_SERVO) == 1_200_250
    # motor -0.996: double 1602869, float 1602870
    assert command_to_duty(-0.996, DEFAULT_MOTOR) == 1_602_870


@pytest.mark.parametrize("cal", [
    DEFAULT_SERVO,
    DEFAULT_MOTOR,
    CalibrationRange(max=1_810_000, mid=1_515_000, min=1_190_000, polarity=-1),
    CalibrationRange(max=1_662_000, mid=1_486_500, min=1_311_000, polarity=1),
])
def test_sweep_matches_the_reference_formula(cal: CalibrationRange) -> None:
    for k in range(-1000, 1001):
        value = k / 1000
        duty = command_to_duty(value, cal)
        assert duty == reference_duty(value, cal), value
        assert cal.low <= duty <= cal.high


@pytest.mark.parametrize("bad", [1.0001, -1.5, 2.0, float("nan"), float("inf"), -float("inf")])
def test_out_of_range_commands_are_refused_not_clamped(bad: float) -> None:
    with pytest.raises(CommandOutOfRange):
        command_to_duty(bad, DEFAULT_SERVO)


def test_polarity_flips_the_direction() -> None:
    flipped = CalibrationRange(max=DEFAULT_MOTOR.max, mid=DEFAULT_MOTOR.mid, min=DEFAULT_MOTOR.min, polarity=1)
    assert command_to_duty(1.0, flipped) == DEFAULT_MOTOR.max
    assert command_to_duty(1.0, DEFAULT_MOTOR) == DEFAULT_MOTOR.min
