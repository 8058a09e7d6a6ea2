"""Board identity: hardware revision from the board-id GPIOs, software version, secure boot.

Hardware version (original device_info_node): GPIO 383 (board_id1) and 387 (board_id0) read as
inputs; (id1, id0) = (0, 0) "R1.0", (0, 1) "R1.1", (1, 0) "R2.0", (1, 1) "R2.1"; anything
unreadable is "--". Pin numbers follow `drivers.gpio` (the +78 kernel variant is handled there).

Software version: this stack's installed version; else the Debian package `aws-deepracer-core`
version from the dpkg database; else "--".
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from drivers.gpio import GpioError, SysfsGpio
from runtime.paths import sysfs_root

BOARD_ID1_GPIO = 383
BOARD_ID0_GPIO = 387
HARDWARE_VERSIONS = {(0, 0): "R1.0", (0, 1): "R1.1", (1, 0): "R2.0", (1, 1): "R2.1"}
UNKNOWN = "--"
DISTRIBUTION_NAME = "deepracer-open-stack"
CORE_DEB_PACKAGE = "aws-deepracer-core"
SECURE_BOOT_VAR = "SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"


def hardware_version(gpio: SysfsGpio | None = None) -> str:
    controller = gpio if gpio is not None else SysfsGpio()
    try:
        id1 = controller.pin(BOARD_ID1_GPIO, "in").read()
        id0 = controller.pin(BOARD_ID0_GPIO, "in").read()
    except (GpioError, OSError, ValueError):
        return UNKNOWN
    return HARDWARE_VERSIONS.get((id1, id0), UNKNOWN)


def dpkg_version(package: str, status_file: Path = Path("/var/lib/dpkg/status")) -> str | None:
    """Version of an installed Debian package from the dpkg database (None if not installed)."""
    try:
        text = status_file.read_text(errors="replace")
    except OSError:
        return None
    for stanza in text.split("\n\n"):
        if re.search(rf"^Package: {re.escape(package)}$", stanza, re.MULTILINE) and \
                re.search(r"^Status: .* installed$", stanza, re.MULTILINE):
            match = re.search(r"^Version: (\S+)$", stanza, re.MULTILINE)
            if match:
                return match.group(1)
    return None


def software_version(status_file: Path = Path("/var/lib/dpkg/status")) -> str:
    override = os.environ.get("DEEPRACER_SOFTWARE_VERSION", "").strip()
    if override:
        return override
    try:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(DISTRIBUTION_NAME)
        except PackageNotFoundError:
            pass
    except ImportError:  # pragma: no cover
        pass
    return dpkg_version(CORE_DEB_PACKAGE, status_file) or UNKNOWN


def secure_boot_enabled(sysfs: Path | None = None) -> bool | None:
    """UEFI SecureBoot variable: 4 attribute bytes then the value byte (None if unreadable)."""
    path = (sysfs if sysfs is not None else sysfs_root()) / "firmware" / "efi" / "efivars" / SECURE_BOOT_VAR
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) < 5:
        return None
    return data[4] == 1
