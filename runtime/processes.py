"""Processes seen from outside: is a pid (still) alive."""

from __future__ import annotations

import os


def pid_alive(pid: object) -> bool:
    """True when a process with this pid exists (also when it belongs to another user); anything but
    a positive int (e.g. a value read from a status file) is no process."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
