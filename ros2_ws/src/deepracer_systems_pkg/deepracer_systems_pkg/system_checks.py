"""Pure helpers of the software update and OTG nodes (no ROS)."""

from __future__ import annotations

from pathlib import Path

UNKNOWN, UP_TO_DATE, UPDATE_AVAILABLE, UPDATE_PENDING, UPDATE_IN_PROGRESS = -1, 0, 1, 2, 3
VERSION_FILE = "VERSION"


def installed_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("deepracer-open-stack")
    except metadata.PackageNotFoundError:
        return "0"


def check_update(source: str, running: str | None) -> tuple[int, object | None]:
    """Software update state for a package index (a folder of bundles / index.json, or a URL), and
    the release it offers.

    No source configured -> UP_TO_DATE (nothing to update from); a newer release -> UPDATE_AVAILABLE;
    none newer -> UP_TO_DATE; the index cannot be read -> UNKNOWN.
    """
    from updates.sources import newest, read_index

    if not source:
        return UP_TO_DATE, None
    try:
        offer = newest(read_index(source), running)
    except Exception:  # unreadable folder, network down, malformed index
        return UNKNOWN, None
    return (UPDATE_AVAILABLE, offer) if offer is not None else (UP_TO_DATE, None)


def otg_link_up(link_state_file: Path) -> bool:
    """The dwc3 USB device controller reports "U0" while a computer is connected to the OTG port."""
    try:
        return "U0" in link_state_file.read_text()
    except OSError:
        return False
