"""runtime/atomic.py under crashes: a writer SIGKILLed at any point leaves the old or the new file,
whole, never a partial or a missing one.

Each writer is a child process (forked from a small forkserver that preloads tests/foundation/
atomic_child.py). The children are held at the steps of atomic_write_bytes (half the data written,
written but not synced, synced but not renamed, renamed but the folder not synced) and killed there,
and killed at random moments while they rewrite the file in a loop. A plain open('wb') + write held
half-way is the control: the harness does see the damage a non-atomic write leaves.

A SIGKILL models a crashing process, not a power cut (the page cache survives it); the fsyncs that
cover a power cut are what the held points between write, sync and rename exercise the order of.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.foundation import atomic_child
from tests.foundation.atomic_child import POINTS, atomic_write_held_at, content, version_of

HELD_KILLS = 10          # per held point
RANDOM_KILLS = 100
KILL_WINDOW_S = 0.03
REPLY_TIMEOUT_S = 20.0   # generous: only bounds a broken child, never met by a working one


@pytest.fixture(scope="module")
def forkserver() -> Iterator[Any]:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([atomic_child.__name__])
    yield ctx


def _kill(proc: Any) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(REPLY_TIMEOUT_S)
    assert proc.exitcode == -signal.SIGKILL


def _held(ctx: Any, target: Callable[..., None], *args: Any) -> str:
    """Run `target(*args, conn)` in a child; once it reports the point it is held at, SIGKILL it."""
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=target, args=(*args, child), daemon=True)
    proc.start()
    child.close()
    try:
        assert parent.poll(REPLY_TIMEOUT_S), "the writer never reached its hold point"
        point = str(parent.recv())
    finally:
        _kill(proc)
        parent.close()
    return point


def _temporary_files(folder: Path, name: str) -> list[Path]:
    return [p for p in folder.iterdir() if p.name != name]


@pytest.mark.parametrize("point", POINTS)
def test_a_writer_killed_at_each_step_leaves_the_old_or_the_new_file(forkserver: Any, tmp_path: Path,
                                                                     point: str) -> None:
    path = tmp_path / "calibration.json"
    path.write_bytes(content(0))
    current = 0
    for attempt in range(1, HELD_KILLS + 1):
        assert _held(forkserver, atomic_write_held_at, str(path), attempt, point) == point
        found = version_of(path.read_bytes())
        # before the rename the old file is untouched; from the rename on, the new one is whole
        assert found == (attempt if point == "after_rename" else current), f"{point}: file is {found}"
        current = found
    # what a crash leaves besides the file are hidden temporary names only, never the file itself
    for leftover in _temporary_files(tmp_path, path.name):
        assert leftover.name.startswith(".calibration.json.") and leftover.name.endswith(".tmp")
    # and the next write still works
    atomic_child.atomic.atomic_write_bytes(path, content(99))
    assert version_of(path.read_bytes()) == 99


def test_the_harness_sees_a_torn_plain_write(forkserver: Any, tmp_path: Path) -> None:
    """The control for the test above: the same hold on open('wb') + write leaves half a file."""
    path = tmp_path / "calibration.json"
    path.write_bytes(content(0))
    assert _held(forkserver, atomic_child.naive_write_held_mid_write, str(path), 1) == "mid_write"
    data = path.read_bytes()
    assert version_of(data) is None and 0 < len(data) < len(content(1))


def test_writers_killed_at_random_moments_leave_the_old_or_the_new_file(forkserver: Any, tmp_path: Path) -> None:
    path = tmp_path / "led_values.json"
    path.write_bytes(content(0))
    rng = random.Random(13)
    last = 0
    for _ in range(RANDOM_KILLS):
        parent, child = forkserver.Pipe(duplex=False)
        proc = forkserver.Process(target=atomic_child.atomic_writes_forever, args=(str(path), last + 1, child),
                                  daemon=True)
        proc.start()
        child.close()
        assert parent.poll(REPLY_TIMEOUT_S) and parent.recv() == "ready"
        # The kill point: anywhere in the next few writes (one takes a few ms, mostly its fsyncs).
        # A random sleep is the point of this test, not a wait for something.
        time.sleep(rng.uniform(0.0, KILL_WINDOW_S))
        _kill(proc)
        done = last
        with contextlib.suppress(EOFError):   # EOF: the killed child's end of the pipe closed
            while parent.poll():
                done = int(parent.recv())
        parent.close()
        assert path.exists(), "the file is missing"
        found = version_of(path.read_bytes())
        # the last write reported done, or the one after it (done, killed before it could say so)
        assert found in (done, done + 1), f"after writes up to {done} the file is {found}"
        last = found
    # the kills did land both between writes and inside them (a kill inside leaves its temporary file)
    assert last > RANDOM_KILLS // 10, f"only {last} writes finished in {RANDOM_KILLS} runs"
    inside = len(_temporary_files(tmp_path, path.name))
    assert inside > RANDOM_KILLS // 10, f"only {inside} of {RANDOM_KILLS} kills landed inside a write"
