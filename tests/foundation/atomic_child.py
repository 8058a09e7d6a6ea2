"""Child processes for test_atomic_write_crash.py: they write a file and get SIGKILLed by the test.

Kept apart from the test module and light (os, time, runtime.atomic) because a forkserver preloads
it: each child is a fork of that small process, not of pytest (which runs ROS and other threads).
"""

from __future__ import annotations

import os
import time
from typing import Any

import runtime.atomic as atomic

PAYLOAD = 96 * 1024  # big enough that a write takes a moment, small enough to keep the test fast

# Where a child can be held until the test kills it. atomic_write_bytes: mkstemp, write, flush,
# fsync, chmod, replace, fsync of the folder.
POINTS = ("mid_write", "before_fsync", "before_rename", "after_rename")


def content(version: int) -> bytes:
    """A file body that names its version and is wrong as soon as any part of it is missing."""
    header = f"version {version:08d}\n".encode()
    body = bytes((version * 7 + i) % 251 for i in range(251)) * (PAYLOAD // 251)
    return header + body + f"\nend {version:08d}\n".encode()


def version_of(data: bytes) -> int | None:
    """The version whose complete body `data` is, or None (empty, cut short, mixed)."""
    if not data.startswith(b"version "):
        return None
    try:
        version = int(data[8:16])
    except ValueError:
        return None
    return version if data == content(version) else None


def _park(conn: Any, point: str) -> None:
    conn.send(point)
    while True:          # the test kills us here
        time.sleep(60)


class _HalfWriter:
    """A file object that writes the first half of what it is given, then parks the process."""

    def __init__(self, handle: Any, conn: Any) -> None:
        self._handle = handle
        self._conn = conn

    def __enter__(self) -> _HalfWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def write(self, data: bytes) -> int:
        self._handle.write(data[: len(data) // 2])
        self._handle.flush()
        _park(self._conn, "mid_write")
        return 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def atomic_write_held_at(path: str, version: int, point: str, conn: Any) -> None:
    """atomic_write_bytes(path, content(version)), held at `point` (reported on `conn`) to be killed."""
    real_fdopen = os.fdopen
    if point == "mid_write":
        os.fdopen = lambda fd, *a, **k: _HalfWriter(real_fdopen(fd, *a, **k), conn)  # type: ignore[assignment]
    elif point == "before_fsync":
        os.fsync = lambda fd: _park(conn, point)
    elif point == "before_rename":
        os.replace = lambda src, dst: _park(conn, point)  # type: ignore[assignment]
    elif point == "after_rename":
        atomic.fsync_dir = lambda folder: _park(conn, point)  # type: ignore[assignment]
    else:
        raise ValueError(point)
    atomic.atomic_write_bytes(path, content(version))
    conn.send("finished")  # the hook never let it get here


def naive_write_held_mid_write(path: str, version: int, conn: Any) -> None:
    """The control: a plain open('wb') + write, held after half the data, as the harness's proof."""
    with open(path, "wb") as handle:
        _HalfWriter(handle, conn).write(content(version))


def atomic_writes_forever(path: str, first: int, conn: Any) -> None:
    """Say "ready", then write versions first, first+1, ... with atomic_write_bytes, reporting each one done."""
    conn.send("ready")
    version = first
    while True:
        atomic.atomic_write_bytes(path, content(version))
        conn.send(version)
        version += 1
