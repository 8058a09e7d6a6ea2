"""What the simulator publishes for the console: `<sim_dir>/status.json` and `<sim_dir>/track.json`.

status.json (rewritten atomically about 10 times a second while the simulator runs, removed when it
stops):
    {"track": name, "laps": n, "off_track": n, "last_lap_s": t | null, "pose": {"x", "y", "yaw"},
     "speed": m/s, "trail": [[x, y], ...] (last ~200 points), "lap_time_s": current lap time}
track.json (written once at start):
    {"name", "width_m", "height_m", "centerline": [[x, y]...], "inner": [[x, y]...], "outer": [[x, y]...]}
plus a few extra keys (title, closed, length_m, track_width_m, obstacles) that readers may ignore.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

STATUS_FILE = "status.json"
TRACK_FILE = "track.json"
LEDS_FILE = "leds.json"
STALE_AFTER_S = 3.0  # a status older than this means the simulator is gone (it crashed)
STATUS_KEYS = ("track", "laps", "off_track", "last_lap_s", "pose", "speed", "trail", "lap_time_s")


def _sim_dir(sim_dir: str | os.PathLike[str] | None) -> Path:
    if sim_dir is not None:
        return Path(sim_dir)
    from runtime.paths import sim_dir as default_sim_dir

    return default_sim_dir()


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_status(sim_dir: str | os.PathLike[str] | None = None, max_age: float = STALE_AFTER_S) -> dict[str, Any] | None:
    """The simulator's current status dict, or None when it is not running (no file, a broken file,
    or a file not refreshed for `max_age` seconds)."""
    path = _sim_dir(sim_dir) / STATUS_FILE
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        return None
    if max_age > 0 and age > max_age:
        return None
    data = _read_json(path)
    if data is None or any(k not in data for k in STATUS_KEYS):
        return None
    return data


def read_track(sim_dir: str | os.PathLike[str] | None = None) -> dict[str, Any] | None:
    """The track description, or None when there is none."""
    data = _read_json(_sim_dir(sim_dir) / TRACK_FILE)
    if data is None or not {"name", "width_m", "height_m", "centerline", "inner", "outer"} <= data.keys():
        return None
    return data


def read_leds(sim_dir: str | os.PathLike[str] | None = None) -> dict[str, Any] | None:
    """Tail light and status LEDs as the simulated car shows them (extra, optional)."""
    return _read_json(_sim_dir(sim_dir) / LEDS_FILE)
