"""Manual-drive settings the user changes from the Settings page, kept across restarts.

`<state>/drive_settings.json`: `{"legacy_drive_hold_s": 15.0}` (written atomically). A missing or
unreadable file means the `ConsoleSettings` default.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from device_console.core.config import check_legacy_hold
from runtime.atomic import atomic_write_json

log = logging.getLogger("device_console.drive")


def load_legacy_hold(path: Path, default: float) -> float:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return default
    except (OSError, ValueError) as exc:
        log.warning("%s is unreadable (%s): using legacy_drive_hold_s %g s", path, exc, default)
        return default
    try:
        return check_legacy_hold(data["legacy_drive_hold_s"]) if isinstance(data, dict) else default
    except (KeyError, ValueError) as exc:
        log.warning("%s: %s; using %g s", path, exc, default)
        return default


def save_legacy_hold(path: Path, value: float) -> float:
    """Validate and save; returns the value. ValueError (nothing written) when out of range."""
    value = check_legacy_hold(value)
    atomic_write_json(path, {"legacy_drive_hold_s": value})
    return value
