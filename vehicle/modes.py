"""Drive modes of the car: ctrl_pkg's vehicle states (ActiveStateSrv.state, GetCtrlModesSrv.modes).

The numbers are the original's. Each mode owns one command topic: manual ← /webserver_pkg/manual_drive,
autonomous ← /deepracer_navigation_pkg/auto_drive, calibration ← /webserver_pkg/calibration_drive
(raw pulse widths).
"""

from __future__ import annotations

from enum import IntEnum


class DriveMode(IntEnum):
    MANUAL = 0
    AUTONOMOUS = 1
    CALIBRATION = 2

    @property
    def label(self) -> str:
        """"manual", "autonomous" or "calibration": the console's and the logs' word for the mode."""
        return self.name.lower()

    @classmethod
    def of(cls, value: object) -> DriveMode | None:
        """The mode numbered `value` (e.g. a service request's state), None for anything else."""
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        try:
            return cls(value)
        except ValueError:
            return None


MANUAL = DriveMode.MANUAL
AUTONOMOUS = DriveMode.AUTONOMOUS
CALIBRATION = DriveMode.CALIBRATION
