"""The health check the updater relies on (against the shared simulated car, and a dead one), and the
real `make dist` script (without the dependency wheels, which would be a few hundred MB download)."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from updates.bundle import verify_bundle
from updates.health import StackHealth

REPO = Path(__file__).resolve().parents[2]


def test_a_stack_that_is_not_running_is_not_healthy(tmp_path: Path) -> None:
    report = StackHealth(tmp_path / "state", "http://127.0.0.1:9", tmp_path / "sys").check()
    assert not report.healthy and report.checked == ["graph", "console", "servo"]
    text = " | ".join(report.problems)
    assert "graph: the stack's supervisor has not reported yet" in text
    assert "console: http://127.0.0.1:9/login does not answer" in text
    assert "servo: the throttle output is not set up" in text


@pytest.mark.ros
def test_the_running_simulated_car_is_healthy(sim_stack) -> None:
    proc = subprocess.run([sys.executable, "-m", "cli.deepracer", "update", "--health", "--json",
                           "--console-url", sim_stack.url], env=sim_stack.env(), capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    assert answer == {"healthy": True, "problems": []}, proc.stdout + proc.stderr
    assert proc.returncode == 0
    # a restart that has not happened yet is not healthy: the supervisor started before `since`
    late = StackHealth(sim_stack.state_dir, sim_stack.url, since=sim_stack.supervisor()["started_at"] + 1).check()
    assert late.problems[0] == "graph: the stack has not restarted yet"


def test_make_dist_builds_a_bundle_that_verifies(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    proc = subprocess.run([sys.executable, "scripts/make_dist.py", "--no-deps", "--out", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    bundles = sorted(out.glob("deepracer-*.tar.gz"))
    assert len(bundles) == 1
    bundle = verify_bundle(bundles[0], tmp_path / "staging")
    names = [w.name for w in bundle.wheels]
    assert names == [f"deepracer_open_stack-{bundle.version}-py3-none-any.whl"]
    listed = bundle.manifest["files"]
    assert any(name.startswith("interfaces/deepracer_interfaces_pkg/lib/") and name.endswith(".so") for name in listed)
    assert any(name.endswith("deepracer_interfaces_pkg/msg/_servo_ctrl_msg.py") for name in listed)
    with tarfile.open(bundles[0]) as tar:
        assert all(m.isfile() or m.isdir() for m in tar.getmembers())
    index = json.loads((out / "index.json").read_text())
    assert [r["version"] for r in index["releases"]] == [bundle.version]
