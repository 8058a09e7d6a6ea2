"""Stopping the stack leaves the car safe: SIGINT stops the command sources first and the core
(servo) last, which writes the calibrated neutral; a process that dies has its safe-stop hook run
by the supervisor before it is restarted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from ctrl_pkg.ctrl_node import command_qos
from deepracer_interfaces_pkg.msg import ServoCtrlMsg

from launcher.graph import Graph, NodeSpec, ProcessSpec
from launcher.supervisor import Supervisor
from tests.support.ros import wait_until

DEFAULT_MOTOR_MID = 1446000


def _throttle_duty(state: Path) -> int | None:
    chip = state / "sim" / "sys" / "class" / "pwm"
    for link in chip.glob("pwmchip*"):
        duty = link / "pwm0" / "duty_cycle"
        if duty.exists() and "0000:00:17.0" in os.path.realpath(link):
            text = duty.read_text().strip()
            return int(text) if text else None
    return None


def test_sigint_sets_throttle_neutral_even_while_commands_keep_coming(tmp_path: Path, ros_node) -> None:
    env = dict(os.environ, DEEPRACER_STATE_DIR=str(tmp_path))
    launcher = subprocess.Popen([sys.executable, "-m", "cli.deepracer", "run", "--sim", "--only", "core"],
                                env=env, stdout=open(tmp_path / "out.log", "wb"), stderr=subprocess.STDOUT)
    pub = ros_node.node.create_publisher(ServoCtrlMsg, "/ctrl_pkg/servo_msg",
                                         command_qos())  # as ctrl_node publishes it
    timer = ros_node.node.create_timer(0.05, lambda: pub.publish(ServoCtrlMsg(angle=0.0, throttle=0.6)))
    try:
        # throttle 0.6 forward with the default calibration: mid + 0.6 * -1 * (mid - min) = 1365000 ns
        wait_until(lambda: _throttle_duty(tmp_path) == 1_365_000, 30,
                   "the servo node to drive the throttle forward")
        launcher.send_signal(signal.SIGINT)
        launcher.wait(10)
        assert launcher.returncode == 0
        assert _throttle_duty(tmp_path) == DEFAULT_MOTOR_MID
    finally:
        ros_node.node.destroy_timer(timer)
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()


def write_marker() -> None:
    """Safe-stop hook for the test below: records that it ran."""
    path = Path(os.environ["SAFE_STOP_MARKER"])
    path.write_text(path.read_text() + "x" if path.exists() else "x")


def _graph() -> Graph:
    return Graph(processes=(
        ProcessSpec("actuator", nodes=(NodeSpec("tests.support.demo_nodes:DemoIdle", "idle", "demo"),),
                    safe_stop="tests.foundation.test_stop_leaves_actuators_neutral:write_marker"),
    ), sim=False)


def test_safe_stop_hook_runs_when_the_actuator_process_dies(tmp_path: Path, monkeypatch) -> None:
    marker = tmp_path / "marker"
    monkeypatch.setenv("SAFE_STOP_MARKER", str(marker))
    sup = Supervisor(_graph(), logs_dir=tmp_path / "logs", run_dir=tmp_path / "run", on_event=lambda _t: None)
    sup.start()
    try:
        pid = wait_until(lambda: sup.states["actuator"].pid, 10, "actuator started")
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: (sup.poll(), marker.exists())[1], 10, "the safe-stop hook after the crash")
        wait_until(lambda: (sup.poll(), sup.states["actuator"].restarts >= 1)[1], 10, "the restart")
        status = json.loads((tmp_path / "run" / "supervisor.json").read_text())
        assert status["processes"]["actuator"]["restarts"] == 1
    finally:
        sup.stop()
    assert marker.read_text() == "xx"  # once for the crash, once more on the ordered stop
