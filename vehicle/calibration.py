"""Calibration kinds and one actuator's calibration, as GetCalibrationSrv / SetCalibrationSrv carry them.

`cal_type` 0 is the steering servo ("Servo" in calibration.json), 1 the speed controller (ESC,
"Motor"). A calibration is four integers: the max, mid and min pulse widths in nanoseconds of a
20 ms PWM period, and the polarity (+1, or -1 when a larger pulse means the other direction).
The maths on them (command → pulse width, console units, validation) is in `calibration.maths`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol


class CalibrationKind(IntEnum):
    SERVO = 0  # steering
    MOTOR = 1  # throttle: the speed controller (ESC)

    @property
    def file_key(self) -> str:
        """The section of calibration.json: "Servo" or "Motor"."""
        return self.name.capitalize()


CAL_TYPE_SERVO = CalibrationKind.SERVO
CAL_TYPE_MOTOR = CalibrationKind.MOTOR


class CalibrationFields(Protocol):
    """The calibration fields of GetCalibrationSrv.Response / SetCalibrationSrv.Request."""

    max: int
    mid: int
    min: int
    polarity: int


@dataclass(frozen=True)
class CalibrationRange:
    """min/mid/max pulse widths in ns and polarity (+1 or -1) of one actuator."""

    max: int
    mid: int
    min: int
    polarity: int

    def as_dict(self) -> dict[str, int]:
        """The fields of calibration.json's sections, and the keyword arguments of SetCalibrationSrv
        (with `cal_type`)."""
        return {"max": self.max, "mid": self.mid, "min": self.min, "polarity": self.polarity}

    @property
    def low(self) -> int:
        return min(self.min, self.max)

    @property
    def high(self) -> int:
        return max(self.min, self.max)

    @classmethod
    def from_fields(cls, message: CalibrationFields) -> CalibrationRange:
        """From a GetCalibrationSrv response or a SetCalibrationSrv request."""
        return cls(max=int(message.max), mid=int(message.mid), min=int(message.min),
                   polarity=int(message.polarity))
