"""Pure helpers of the software update and OTG nodes (no ROS)."""

from __future__ import annotations

import re
from pathlib import Path

UNKNOWN, UP_TO_DATE, UPDATE_AVAILABLE, UPDATE_PENDING, UPDATE_IN_PROGRESS = -1, 0, 1, 2, 3
VERSION_FILE = "VERSION"


def installed_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("deepracer-open-stack")
    except metadata.PackageNotFoundError:
        return "0"


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:4])


def check_update(source: str, installed: str) -> int:
    """Software update state for an update source folder holding a `VERSION` file.

    No source configured -> UP_TO_DATE (there is nothing to update from); a newer VERSION ->
    UPDATE_AVAILABLE; the same or older -> UP_TO_DATE; unreadable -> UNKNOWN.
    """
    if not source:
        return UP_TO_DATE
    try:
        available = (Path(source) / VERSION_FILE).read_text().strip()
    except OSError:
        return UNKNOWN
    if not available or not _version_key(available):
        return UNKNOWN
    return UPDATE_AVAILABLE if _version_key(available) > _version_key(installed) else UP_TO_DATE


def otg_link_up(link_state_file: Path) -> bool:
    """The dwc3 USB device controller reports "U0" while a computer is connected to the OTG port."""
    try:
        return "U0" in link_state_file.read_text()
    except OSError:
        return False
