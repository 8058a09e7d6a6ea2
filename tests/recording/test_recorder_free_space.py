"""The free-space floor holds from the first message: no bag is opened on a disk below it, even before
the recorder's first periodic check (the monitor topic can flow before that)."""

from __future__ import annotations

import shutil
from pathlib import Path

from recording.recorder import Recorder


def _recorder(output: Path, min_free_mb: float, logs: list[tuple[str, str]]) -> Recorder:
    return Recorder(output, "mcap", "Always", timeout_s=15.0, pause_s=10.0, min_free_mb=min_free_mb,
                    log=lambda level, message: logs.append((level, message)))


def test_the_first_monitor_message_on_a_full_disk_opens_no_bag(tmp_path: Path) -> None:
    output = tmp_path / "bags"
    floor = shutil.disk_usage(tmp_path).free / (1024 * 1024) * 4 + 1024   # more than this disk has free
    logs: list[tuple[str, str]] = []
    recorder = _recorder(output, floor, logs)
    recorder.monitor_message()          # before any tick
    status = recorder.status()
    recorder.close()                    # the writer thread has handled everything it was given
    assert status["disk_low"] is True and status["bag"] == ""
    assert not output.exists() or list(output.iterdir()) == []
    assert any(level == "warn" and "recording stops" in message for level, message in logs)


def test_with_room_the_first_monitor_message_opens_a_bag(tmp_path: Path) -> None:
    """The contrast: the same first message with free space records."""
    output = tmp_path / "bags"
    recorder = _recorder(output, 1.0, [])
    recorder.monitor_message()
    recorder.close()
    assert [p.name.startswith("deepracer-") for p in output.iterdir()] == [True]
