"""Typed settings of the device console (one object, built from the environment or by tests).

Every path defaults to the original location under the car's state root (`runtime.paths`), so a
console started with `DEEPRACER_STATE_DIR=/tmp/x` keeps all its files there. Tests build a
`ConsoleSettings(...)` directly and hand it to `device_console.main.create_app`.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from runtime import paths

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # device_console/

# Topics the MJPEG endpoint may stream (anything else is a 404, never a free ROS subscription).
CAMERA_TOPIC = "/camera_pkg/display_mjpeg"
OVERLAY_TOPIC = "/sensor_fusion_pkg/overlay_msg"

# How long a send-on-change client's manual command is held (device_console.driving.supervisor)
LEGACY_HOLD_RANGE_S = (0.5, 60.0)
DEFAULT_LEGACY_HOLD_S = 15.0


def check_legacy_hold(value: float) -> float:
    """`legacy_drive_hold_s` must be a number in 0.5..60 s; ValueError with a readable reason."""
    low, high = LEGACY_HOLD_RANGE_S
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= float(value) <= high:
        raise ValueError(f"legacy_drive_hold_s must be a number of seconds from {low:g} to {high:g}")
    return float(value)


class ConsoleSettings(BaseModel):
    """Settings of one console instance. Immutable once built."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    state_dir: Path = Field(default_factory=paths.state_dir)
    # Where the default password comes from (`chassis_asset_tag`, printed under the car).
    dmi_dir: Path = Field(default_factory=paths.dmi_dir)
    hardware_mode: str = Field(default_factory=paths.hardware_mode)

    templates_dir: Path = PACKAGE_DIR / "templates"
    static_dir: Path = PACKAGE_DIR / "static"

    # Authentication
    token_ttl_s: float = 12 * 3600.0  # sliding: every authenticated request extends it
    max_tokens: int = 32  # browsers logged in at once; the oldest is dropped beyond this
    csrf_ttl_s: float = 7 * 24 * 3600.0
    login_free_attempts: int = 5  # failed logins per client before the slow-down starts
    login_base_delay_s: float = 1.0  # then 1, 2, 4, ... seconds between attempts
    login_max_delay_s: float = 60.0

    # Manual driving (device_console.driving.supervisor). Our own UI (heartbeat route or drive
    # WebSocket): the car stops when no command or heartbeat arrived for `manual_drive_timeout_s`.
    manual_drive_timeout_s: float = 0.5
    watchdog_period_s: float = 0.05
    # Clients written for the original car (a command only when the stick moves): the last command
    # is held while the client is alive, at most this long without any request of its session.
    # The value saved from the Settings page (drive_settings.json) takes precedence.
    legacy_drive_hold_s: float = DEFAULT_LEGACY_HOLD_S
    # A held command is re-published this often (the servo node stops a command older than 0.5 s).
    drive_republish_period_s: float = 0.1
    # An MJPEG stream whose frame write does not finish for this long counts as closed.
    stream_stall_s: float = 2.0

    # Uploads
    max_upload_bytes: int = 200 * 1024 * 1024

    # Video stream
    stream_max_width: int = 1920
    stream_max_height: int = 1080
    stream_default_quality: int = 95
    stream_topics: tuple[str, ...] = (CAMERA_TOPIC, OVERLAY_TOPIC)

    # Logs
    syslog_path: Path = Path("/var/log/syslog")
    max_log_lines: int = 1000

    @field_validator("hardware_mode")
    @classmethod
    def _check_mode(cls, value: str) -> str:
        if value not in ("real", "sim"):
            raise ValueError("hardware_mode must be 'real' or 'sim'")
        return value

    @model_validator(mode="after")
    def _check_positive(self) -> ConsoleSettings:
        for name in ("token_ttl_s", "manual_drive_timeout_s", "watchdog_period_s", "csrf_ttl_s",
                     "drive_republish_period_s", "stream_stall_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0")
        check_legacy_hold(self.legacy_drive_hold_s)
        if self.max_upload_bytes <= 0:
            raise ValueError("max_upload_bytes must be > 0")
        return self

    # Derived locations (the original file names, so existing tools keep working)
    @property
    def password_file(self) -> Path:
        return self.state_dir / "password.txt"

    @property
    def token_file(self) -> Path:
        return self.state_dir / "token.txt"

    @property
    def secret_file(self) -> Path:
        return self.state_dir / "console_secret.key"

    @property
    def artifacts_dir(self) -> Path:
        return self.state_dir / "artifacts"

    @property
    def logs_dir(self) -> Path:
        """The drive recordings (bags)."""
        return self.state_dir / "logs"

    @property
    def process_logs_dir(self) -> Path:
        """The stack's process logs (`runtime.paths.process_logs_dir`)."""
        from runtime.paths import process_logs_dir

        return process_logs_dir(self.state_dir)

    @property
    def drive_settings_file(self) -> Path:
        """Manual-drive settings saved from the Settings page (`legacy_drive_hold_s`)."""
        return self.state_dir / "drive_settings.json"

    @property
    def sim_dir(self) -> Path:
        return self.state_dir / "sim"

    @property
    def upload_tmp_dir(self) -> Path:
        return self.state_dir / "tmp"

    @property
    def update_status_file(self) -> Path:
        return self.state_dir / "software_update_status.json"

    @property
    def certs_dir(self) -> Path:
        return self.state_dir / "certs"

    @property
    def console_state_file(self) -> Path:
        """Console-owned settings (simulated SSH / time zone on the simulated car)."""
        return self.state_dir / "console_state.json"

    @property
    def simulated(self) -> bool:
        return self.hardware_mode == "sim"

    @classmethod
    def from_env(cls, **overrides: object) -> ConsoleSettings:
        """Settings from `runtime.paths` plus DEEPRACER_CONSOLE_* environment overrides."""
        values: dict[str, object] = {}
        env_map = {
            "DEEPRACER_CONSOLE_TOKEN_TTL_S": "token_ttl_s",
            "DEEPRACER_CONSOLE_MANUAL_DRIVE_TIMEOUT_S": "manual_drive_timeout_s",
            "DEEPRACER_CONSOLE_LEGACY_DRIVE_HOLD_S": "legacy_drive_hold_s",
            "DEEPRACER_CONSOLE_SYSLOG": "syslog_path",
            "DEEPRACER_CONSOLE_STATIC_DIR": "static_dir",
            "DEEPRACER_CONSOLE_TEMPLATES_DIR": "templates_dir",
        }
        for env_name, field_name in env_map.items():
            raw = os.environ.get(env_name, "").strip()
            if raw:
                values[field_name] = raw
        values.update(overrides)
        return cls.model_validate(values)
