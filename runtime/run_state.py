"""What a node must get back after its process restarts within the same launcher run.

The supervisor (`launcher/supervisor.py`) gives every process it starts the same `DEEPRACER_RUN_ID`,
new at each launcher start. A node saves what the user set (ctrl: drive mode, loaded model, maximum
speed; sensor fusion: the model's LiDAR configuration) with `save(name, data)` and reads it back at
start with `load(name)`: only a record of the *current* run comes back, so a reboot or a new
`deepracer run` starts from the defaults as the original does, while a crashed-and-restarted process
carries on. Without a run id (a node started on its own, in tests) nothing is saved or restored.

Files: `<state>/run/<name>.json` = {"run_id": ..., "data": {...}}; written atomically.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from runtime import paths
from runtime.atomic import atomic_write_text

RUN_ID_ENV = "DEEPRACER_RUN_ID"


def run_id() -> str | None:
    value = os.environ.get(RUN_ID_ENV, "").strip()
    return value or None


def state_file(name: str) -> Path:
    return paths.state_dir() / "run" / f"{name}.json"


def save(name: str, data: dict[str, Any]) -> bool:
    """Record `data` for this run; False when there is no run id or the file cannot be written."""
    current = run_id()
    if current is None:
        return False
    try:
        atomic_write_text(state_file(name), json.dumps({"run_id": current, "data": data}, sort_keys=True))
    except OSError:
        return False
    return True


def load(name: str) -> dict[str, Any] | None:
    """The record saved earlier in this run, or None (other run, no run id, missing or unreadable)."""
    current = run_id()
    if current is None:
        return None
    try:
        doc = json.loads(state_file(name).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("run_id") != current or not isinstance(doc.get("data"), dict):
        return None
    data: dict[str, Any] = doc["data"]
    return data
