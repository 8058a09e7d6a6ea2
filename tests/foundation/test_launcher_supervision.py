"""The launcher keeps the graph up: a killed optional process is restarted while the others never
stop; SIGINT to `deepracer run` stops every process within 5 s."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from deepracer_interfaces_pkg.msg import ServoCtrlMsg

from tests.support.ros import wait_until


def _start_launcher(state: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DEEPRACER_STATE_DIR=str(state))
    return subprocess.Popen(
        [sys.executable, "-m", "cli.deepracer", "run", "--hardware", "--graph", "tests.support.demo_graph:graph"],
        env=env, stdout=open(state / "launcher.out", "wb"), stderr=subprocess.STDOUT)


def _status(state: Path) -> dict:
    try:
        return json.loads((state / "run" / "supervisor.json").read_text())
    except (OSError, ValueError):
        return {}


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0); read its state
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_killed_optional_process_restarts_and_others_keep_running(tmp_path: Path, ros_node) -> None:
    launcher = _start_launcher(tmp_path)
    try:
        procs = wait_until(lambda: (s := _status(tmp_path).get("processes")) and all(p["pid"] for p in s.values()) and s,
                           20, "all processes started")
        received = ros_node.collect(ServoCtrlMsg, "/demo/cmd")
        wait_until(lambda: received, 20, "talker publishing")
        before = {name: p["pid"] for name, p in procs.items()}

        os.kill(before["optional"], signal.SIGKILL)
        after = wait_until(
            lambda: (p := _status(tmp_path)["processes"]["optional"])["pid"] not in (None, before["optional"])
            and p["restarts"] >= 1 and p,
            20, "the optional process to be restarted")
        assert _alive(after["pid"])
        assert after["last_exit"] == -signal.SIGKILL
        procs_now = _status(tmp_path)["processes"]
        for name in ("talker", "relay"):
            assert procs_now[name]["pid"] == before[name], f"{name} was restarted"
            assert procs_now[name]["restarts"] == 0
            assert _alive(before[name])
        count = len(received)
        wait_until(lambda: len(received) > count + 5, 10, "talker still publishing")
        assert "optional (optional) exited with -9" in (tmp_path / "launcher.out").read_text()
    finally:
        launcher.send_signal(signal.SIGINT)
        launcher.wait(10)


def test_sigint_stops_all_processes_within_5_seconds(tmp_path: Path) -> None:
    launcher = _start_launcher(tmp_path)
    procs = wait_until(lambda: (s := _status(tmp_path).get("processes")) and all(p["pid"] for p in s.values()) and s,
                       20, "all processes started")
    pids = [p["pid"] for p in procs.values()]
    t0 = time.monotonic()
    launcher.send_signal(signal.SIGINT)
    launcher.wait(10)
    elapsed = time.monotonic() - t0
    assert launcher.returncode == 0
    assert not any(_alive(pid) for pid in pids)
    assert elapsed < 5.0, f"stopping took {elapsed:.1f} s"
    out = (tmp_path / "launcher.out").read_text()
    # core-like processes (none here) go last; every process is reported stopped
    for name in ("talker", "relay", "optional"):
        assert f"stopped {name}" in out


def test_children_stop_when_the_launcher_itself_dies(tmp_path: Path) -> None:
    launcher = _start_launcher(tmp_path)
    procs = wait_until(lambda: (s := _status(tmp_path).get("processes")) and all(p["pid"] for p in s.values()) and s,
                       20, "all processes started")
    pids = [p["pid"] for p in procs.values()]
    launcher.kill()  # SIGKILL: no chance to stop anything itself
    launcher.wait(10)
    wait_until(lambda: not any(_alive(pid) for pid in pids), 10, "the orphaned processes to stop")
