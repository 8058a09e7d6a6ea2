"""The whole stack on the simulated car, for end-to-end tests (console UI, closed loop).

`SimStack` runs `deepracer run --sim` exactly as `make run` does (same graph, same processes), with
its own state folder, free ports and a ROS domain of its own (claimed like the session's), so tests
that start their own camera or inference node next to it never see its nodes. Talk to its graph
with `stack.ros_node()` (a RosTestNode in the stack's domain). The session-scoped fixture
`sim_stack` (tests/conftest.py) starts it once for every test that asks; such tests must put back
what they change (calibration, LED colour, loaded model...).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support.ros import RosTestNode, claim_domain_id, wait_until

PASSWORD = "deepracer"
SERVO, MOTOR = 0, 1          # GetCalibrationSrv.cal_type
MANUAL = 0                   # ActiveStateSrv.state


@dataclass(frozen=True)
class CarSettings:
    """What tests change on the shared simulated car, as the servo node and ctrl hold it."""

    servo: tuple[int, int, int, int]      # max, mid, min, polarity (ns)
    motor: tuple[int, int, int, int]
    led: tuple[int, int, int]             # red, green, blue duty (ns)
    mode: int                             # ctrl's drive mode (0 manual, 1 autonomous)
    files: dict[str, Any]                 # calibration.json and led_values.json, parsed


def _stop_with_parent() -> None:
    """In the launcher child: get SIGINT (an ordered stop) if the test process dies, so a killed
    pytest never leaves a simulated car running."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGINT)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SimStack:
    def __init__(self, root: Path, track: str = "loop", only: list[str] | None = None,
                 extra_args: list[str] | None = None, preexec: Callable[[], None] | None = None) -> None:
        """`preexec`: run in the launcher's process before it starts (e.g. join a CPU cgroup, so every
        process of the stack is born inside it)."""
        self.root = root
        self.preexec = preexec
        self.state_dir = root / "state"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.sim_dir = self.state_dir / "sim"
        self.port = free_port()
        self.https_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.track = track
        self.only = only
        self.extra_args = list(extra_args or [])
        self.proc: subprocess.Popen[bytes] | None = None
        self.domain_id, self._domain_lock = claim_domain_id()
        self._probe: RosTestNode | None = None
        self.out_path = root / "launcher.out"

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self, timeout: float = 90.0) -> SimStack:
        env = dict(os.environ, DEEPRACER_STATE_DIR=str(self.state_dir), ROS_DOMAIN_ID=str(self.domain_id))
        cmd = [sys.executable, "-u", "-m", "cli.deepracer", "run", "--sim", "--port", str(self.port),
               "--https-port", str(self.https_port), "--track", self.track]
        if self.only:
            cmd += ["--only", ",".join(self.only)]
        cmd += self.extra_args
        self.proc = subprocess.Popen(cmd, env=env, stdout=open(self.out_path, "wb"), stderr=subprocess.STDOUT,
                                     cwd=Path(__file__).resolve().parents[2], preexec_fn=self._preexec)
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()  # never leave a half-started stack behind
            raise
        return self

    def _preexec(self) -> None:
        _stop_with_parent()
        if self.preexec is not None:
            self.preexec()

    def _wait_ready(self, timeout: float) -> None:
        if self.only is None or "console" in self.only:
            wait_until(self._console_up, timeout, f"the console on {self.url} (see {self.out_path})")
        if self.only is None:
            # ready to drive: the camera streams into sensor fusion (ctrl activates it after start)
            client = self.login()
            try:
                wait_until(lambda: client.get("/api/get_sensor_status").json().get("camera_status") == "connected",
                           timeout, "the simulated camera to stream")
            finally:
                client.close()

    def _console_up(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"deepracer run exited with {self.proc.returncode}:\n{self.output()}")
        try:
            return httpx.get(self.url + "/login", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> int | None:
        if self._probe is not None:
            self._probe.close()
            self._probe = None
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._domain_lock.close()
        return self.proc.returncode

    def ros_node(self, name: str = "stack_probe") -> RosTestNode:
        """A RosTestNode on this stack's ROS graph (close it when done)."""
        return RosTestNode(f"{name}_{os.getpid()}", domain_id=self.domain_id)

    def env(self) -> dict[str, str]:
        """Environment for a command (deepracer status, ros2 ...) aimed at this stack."""
        return dict(os.environ, DEEPRACER_STATE_DIR=str(self.state_dir), ROS_DOMAIN_ID=str(self.domain_id))

    # -- inspection ------------------------------------------------------------------------------
    def output(self) -> str:
        return self.out_path.read_text(errors="replace") if self.out_path.exists() else ""

    def supervisor(self) -> dict[str, Any]:
        try:
            return json.loads((self.state_dir / "run" / "supervisor.json").read_text())
        except (OSError, ValueError):
            return {}

    def log(self, process: str) -> str:
        path = self.state_dir / "stack-logs" / f"{process}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- console -------------------------------------------------------------------------------
    def login(self, password: str = PASSWORD) -> httpx.Client:
        """A logged-in client sending the CSRF header on every request, as the original UI does."""
        client = httpx.Client(base_url=self.url, timeout=30.0)
        page = client.get("/login")
        match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
        assert match, "login page has no csrf meta tag"
        client.headers["X-CSRFToken"] = match.group(1)
        reply = client.post("/login", data={"password": password})
        assert reply.status_code == 200 and reply.json() == {"redirect": "/home"}, reply.text
        home = client.get("/home")
        match = re.search(r'<meta name="csrf-token" content="([^"]+)"', home.text)
        if match:
            client.headers["X-CSRFToken"] = match.group(1)
        return client

    # -- the car's settings (tests/conftest.py `sim_car_settings` puts them back after a test) ------
    def probe(self) -> RosTestNode:
        """One RosTestNode on the stack's graph for the session (closed by stop())."""
        if self._probe is None:
            self._probe = self.ros_node("settings_probe")
        return self._probe

    def car_settings(self) -> CarSettings:
        """Calibration, tail light and drive mode now, read from the servo node (no calibration mode
        needed, unlike ctrl's get_car_cal) and ctrl's saved intent."""
        from deepracer_interfaces_pkg.srv import GetCalibrationSrv, GetLedCtrlSrv

        ros = self.probe()

        def calibration(cal_type: int) -> tuple[int, int, int, int]:
            cal = ros.call(GetCalibrationSrv, "/servo_pkg/get_calibration", GetCalibrationSrv.Request(cal_type=cal_type))
            assert cal.error == 0, f"get_calibration {cal_type} failed"
            return int(cal.max), int(cal.mid), int(cal.min), int(cal.polarity)

        led = ros.call(GetLedCtrlSrv, "/servo_pkg/get_led_state")
        return CarSettings(servo=calibration(SERVO), motor=calibration(MOTOR),
                           led=(int(led.red), int(led.green), int(led.blue)), mode=self._drive_mode(),
                           files={name: self._state_json(name) for name in ("calibration.json", "led_values.json")})

    def restore_car_settings(self, settings: CarSettings) -> None:
        """Stop the car and put `settings` back where they differ; then check they are back."""
        from deepracer_interfaces_pkg.srv import (
            ActiveStateSrv,
            EnableStateSrv,
            SetCalibrationSrv,
            SetLedCtrlSrv,
        )

        ros = self.probe()
        assert ros.call(EnableStateSrv, "/ctrl_pkg/enable_state", EnableStateSrv.Request(is_active=False)).error == 0
        now = self.car_settings()
        for cal_type, want, have in ((SERVO, settings.servo, now.servo), (MOTOR, settings.motor, now.motor)):
            if want != have:
                request = SetCalibrationSrv.Request(cal_type=cal_type, max=want[0], mid=want[1], min=want[2],
                                                    polarity=want[3])
                assert ros.call(SetCalibrationSrv, "/servo_pkg/set_calibration", request).error == 0
        if settings.led != now.led:
            request = SetLedCtrlSrv.Request(red=settings.led[0], green=settings.led[1], blue=settings.led[2])
            assert ros.call(SetLedCtrlSrv, "/servo_pkg/set_led_state", request).error == 0
        # always: calibration mode is not in ctrl's saved intent, so a test left in it looks like manual
        request = ActiveStateSrv.Request(state=settings.mode)
        assert ros.call(ActiveStateSrv, "/ctrl_pkg/vehicle_state", request).error == 0
        wait_until(lambda: self.car_settings() == settings, 10, "the car's settings to be back")

    def _drive_mode(self) -> int:
        try:
            record = json.loads((self.state_dir / "run" / "ctrl.json").read_text())
            return int(record["data"]["state"])
        except (OSError, ValueError, KeyError, TypeError):
            return MANUAL  # nothing saved yet: ctrl starts in manual mode

    def _state_json(self, name: str) -> Any:
        try:
            return json.loads((self.state_dir / name).read_text())
        except (OSError, ValueError):
            return None

    def process_pids(self) -> dict[str, int]:
        return {name: p["pid"] for name, p in self.supervisor().get("processes", {}).items() if p.get("pid")}
