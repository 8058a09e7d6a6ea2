"""A recorder killed mid-bag (SIGKILL, no clean-up) leaves a bag without metadata.yaml; recovery gives it
back every flushed message, complete and readable by the independent reader."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from recording.recovery import needs_recovery, recover_all
from tests.recording import bagcheck, messages

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("provider", ["mcap", "sqlite3"])
def test_a_killed_recorder_leaves_a_bag_that_opens(tmp_path: Path, provider: str) -> None:
    folder = tmp_path / "racer1-model-20260530-123456"
    proc = subprocess.run([sys.executable, "-m", "tests.recording.crash_writer", str(folder), provider, "30"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "flushed" in proc.stdout and proc.returncode == -9, proc.stderr
    assert not (folder / "metadata.yaml").exists() and needs_recovery(folder)

    notes = recover_all(tmp_path)
    assert len(notes) == 1 and notes[0].startswith("recovered the bag racer1-model-20260530-123456"), notes
    info = bagcheck.metadata(folder)
    assert info["storage_identifier"] == provider
    stored = bagcheck.read_bag(folder)
    assert 30 <= len(stored) <= 35 and info["message_count"] == len(stored)
    for i, item in enumerate(stored):
        assert item.log_time == 1_780_000_000_000_000_000 + i
        assert bagcheck.plain(item.decoded) == bagcheck.plain(messages.results(i))
    bagcheck.check_definition("deepracer_interfaces_pkg/msg/InferResultsArray", stored[0].definition)
    [topic] = info["topics_with_message_count"]
    assert topic["topic_metadata"]["type_description_hash"] == bagcheck.installed_hash(
        "deepracer_interfaces_pkg/msg/InferResultsArray")
    assert not needs_recovery(folder) and recover_all(tmp_path) == []
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]     # no staging left behind
