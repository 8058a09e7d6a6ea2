"""Is the (restarted) stack healthy? Three checks, each with a reason when it fails.

- graph up: the supervisor (`<state>/run/supervisor.json`) runs, started after `since`, every
  required process is alive, and every node it hosts is on the ROS graph (the graph probe is
  given by the caller, `cli/update.py`, so this library stays free of rclpy);
- console answers: `GET <console>/login` renders the login page (200; every API route needs a login);
- servo neutral: the throttle and steering PWM channels (sysfs) sit at the calibrated mids (the car
  is stopped and centred, as the servo node leaves it at start). A PCA9685 board is not read back.

`wait_healthy()` repeats the checks until all pass or the deadline (60 s by default) passes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runtime.processes import pid_alive

HEALTH_TIMEOUT_S = 60.0


@dataclass
class HealthReport:
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems and bool(self.checked)


class StackHealth:
    def __init__(self, state_dir: Path, console_url: str, sysfs_root: Path | None = None,
                 since: float = 0.0, ros_wait: float = 10.0,
                 graph: Callable[[set[str], float], set[str]] | None = None) -> None:
        self.state_dir = Path(state_dir)
        self.console_url = console_url.rstrip("/")
        self.sysfs_root = sysfs_root
        self.since = since  # wall-clock time of the restart: an older supervisor is the old stack
        self.ros_wait = ros_wait
        self._graph = graph

    # -- checks
    def graph_problems(self) -> list[str]:
        try:
            snapshot = json.loads((self.state_dir / "run" / "supervisor.json").read_text())
        except (OSError, ValueError):
            return ["graph: the stack's supervisor has not reported yet"]
        if not pid_alive(snapshot.get("supervisor_pid")) or snapshot.get("stopping"):
            return ["graph: the stack's supervisor is not running"]
        if float(snapshot.get("started_at", 0.0)) < self.since:
            return ["graph: the stack has not restarted yet"]
        problems = []
        expected: set[str] = set()
        for name, process in (snapshot.get("processes") or {}).items():
            if process.get("required", True) and not process.get("alive"):
                problems.append(f"graph: process {name} is not running")
            expected.update(process.get("nodes") or [])
        if problems or not expected:
            return problems or ["graph: the supervisor lists no nodes"]
        if self._graph is None:  # no ROS here (the caller supplies the graph probe: cli/update.py)
            return problems
        seen = self._graph(expected, self.ros_wait)
        missing = sorted(expected - seen)
        if missing:
            problems.append(f"graph: node(s) not on the ROS graph: {', '.join(missing[:5])}")
        return problems

    def console_problems(self) -> list[str]:
        import httpx

        url = self.console_url + "/login"
        try:
            reply = httpx.get(url, timeout=5.0, verify=False, follow_redirects=True)
        except httpx.HTTPError as exc:
            return [f"console: {url} does not answer ({type(exc).__name__})"]
        return [] if reply.status_code == 200 else [f"console: {url} answered {reply.status_code}"]

    def _sysfs(self) -> Path | None:
        """The given sysfs root; else the simulated car's tree when the supervisor runs one; else /sys."""
        if self.sysfs_root is not None:
            return self.sysfs_root
        try:
            sim = json.loads((self.state_dir / "run" / "supervisor.json").read_text()).get("sim")
        except (OSError, ValueError):
            sim = False
        return self.state_dir / "sim" / "sys" if sim else None

    def servo_problems(self) -> list[str]:
        from calibration.files import load_calibration
        from drivers.pwm import STEERING_CHANNEL, THROTTLE_CHANNEL, find_pwm_chip, pwm_backend_name

        if pwm_backend_name() != "sysfs":
            return []
        calibration = load_calibration(write_defaults=False).value
        chip = find_pwm_chip(self._sysfs())
        problems = []
        for label, channel, mid in (("throttle", THROTTLE_CHANNEL, calibration.motor.mid),
                                    ("steering", STEERING_CHANNEL, calibration.servo.mid)):
            try:
                duty = int((chip / f"pwm{channel}" / "duty_cycle").read_text().strip())
            except (OSError, ValueError):
                problems.append(f"servo: the {label} output is not set up")
                continue
            if duty != mid:
                problems.append(f"servo: {label} at {duty} ns, not neutral ({mid} ns)")
        return problems

    def check(self) -> HealthReport:
        report = HealthReport()
        for name, probe in (("graph", self.graph_problems), ("console", self.console_problems),
                            ("servo", self.servo_problems)):
            try:
                report.problems += probe()
            except Exception as exc:  # a check that cannot run is a failed check
                report.problems.append(f"{name}: check failed: {exc!r}")
            report.checked.append(name)
        return report

    def wait_healthy(self, timeout: float = HEALTH_TIMEOUT_S, interval: float = 2.0,
                     stop: Callable[[], bool] = lambda: False) -> HealthReport:
        deadline = time.monotonic() + timeout
        while True:
            report = self.check()
            if report.healthy or time.monotonic() + interval > deadline or stop():
                return report
            time.sleep(interval)

