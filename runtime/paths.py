"""Where things live on the car, each root overridable through the environment.

On a car the defaults are the original ones (`/opt/aws/deepracer`, `/sys`, `/dev`), so existing
tools find calibration.json, password.txt, artifacts/ and logs/ where they expect them. `make run`
points the state root at `var/` inside the repository; tests point every root at temporary trees.

    DEEPRACER_STATE_DIR   /opt/aws/deepracer      calibration, LEDs, password, models, logs
    DEEPRACER_SYSFS_ROOT  /sys                    PWM, GPIO, i2c-dev, DMI, net
    DEEPRACER_DEV_ROOT    /dev                    i2c buses, serial ports, video devices
    DEEPRACER_HARDWARE    real | sim              which driver backends the nodes use
    DEEPRACER_PREFIX      /opt/deepracer          installed releases (software updates)
    DEEPRACER_LOG_DIR     <state>/stack-logs      the stack's process logs (not logs/: the bags)
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_STATE_DIR = "/opt/aws/deepracer"


def state_dir() -> Path:
    return Path(os.environ.get("DEEPRACER_STATE_DIR", DEFAULT_STATE_DIR))


def sysfs_root() -> Path:
    return Path(os.environ.get("DEEPRACER_SYSFS_ROOT", "/sys"))


def dev_root() -> Path:
    return Path(os.environ.get("DEEPRACER_DEV_ROOT", "/dev"))


def dmi_dir() -> Path:
    """`/sys/class/dmi/id` under the sysfs root (chassis_asset_tag, bios_version, chassis_serial)."""
    return sysfs_root() / "class" / "dmi" / "id"


def hardware_mode() -> str:
    """"sim" for the simulated car, "real" for hardware backends."""
    mode = os.environ.get("DEEPRACER_HARDWARE", "real").strip().lower()
    if mode not in ("real", "sim"):
        raise ValueError(f"DEEPRACER_HARDWARE must be 'real' or 'sim', not {mode!r}")
    return mode


def calibration_file() -> Path:
    return state_dir() / "calibration.json"


def led_values_file() -> Path:
    return state_dir() / "led_values.json"


def password_file() -> Path:
    return state_dir() / "password.txt"


def artifacts_dir() -> Path:
    return state_dir() / "artifacts"


def logs_dir() -> Path:
    """The drive recordings (bags), as the community car keeps them; fleet managers empty it."""
    return state_dir() / "logs"


PROCESS_LOGS_FOLDER = "stack-logs"


def process_logs_dir(state: Path | None = None) -> Path:
    """The stack's own process logs (`<process>.log`): DEEPRACER_LOG_DIR, else `<state>/stack-logs`.

    Not `<state>/logs`: that folder holds the drive recordings, and a fleet manager's
    `rm -rf /opt/aws/deepracer/logs/*` would take the open process logs with it."""
    configured = os.environ.get("DEEPRACER_LOG_DIR")
    return Path(configured) if configured else (state or state_dir()) / PROCESS_LOGS_FOLDER


def sensor_configuration_file() -> Path:
    return state_dir() / "sensor_configuration.json"


def sim_dir() -> Path:
    """Shared folder of the simulated car (world state, rendered frames, virtual devices)."""
    return state_dir() / "sim"


def install_prefix() -> Path:
    """Where the stack's releases are installed (`<prefix>/releases/<version>`, `<prefix>/current`):
    DEEPRACER_PREFIX, default /opt/deepracer."""
    return Path(os.environ.get("DEEPRACER_PREFIX", "/opt/deepracer"))
