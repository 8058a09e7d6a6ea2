"""`deepracer status` says when calibration.json is corrupt and the car drives on the defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from calibration.files import DEFAULT_CALIBRATION, save_calibration
from cli.status import calibration_status

REPO = Path(__file__).resolve().parents[2]


def _status(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # a running stack as the launcher records it (this test process stands in for the supervisor)
    (state / "run").mkdir(parents=True, exist_ok=True)
    (state / "run" / "supervisor.json").write_text(json.dumps(
        {"supervisor_pid": os.getpid(), "sim": True, "processes": {}}))
    return subprocess.run([sys.executable, "-m", "cli.deepracer", "status", "--wait", "0", *args],
                          env=dict(os.environ, DEEPRACER_STATE_DIR=str(state)), cwd=REPO,
                          capture_output=True, text=True, timeout=60)


def test_calibration_status_of_a_good_and_a_corrupt_file(tmp_path: Path) -> None:
    save_calibration(DEFAULT_CALIBRATION, tmp_path / "calibration.json")
    assert calibration_status(tmp_path) == {"file_ok": True}
    (tmp_path / "calibration.json").write_text('{"Calibration": ')
    status = calibration_status(tmp_path)
    assert status["file_ok"] is False
    assert status["message"] == "calibration file was unreadable, defaults in use; recalibrate"
    assert "not valid JSON" in status["reason"]


def test_status_warns_about_a_corrupt_calibration_file(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "calibration.json").write_text('{"Calibration": ')
    shown = _status(state)
    assert "WARNING: calibration file was unreadable, defaults in use; recalibrate" in shown.stdout, \
        shown.stdout + shown.stderr
    assert "not valid JSON" in shown.stdout
    assert shown.returncode == 0  # a warning: the stack itself is healthy
