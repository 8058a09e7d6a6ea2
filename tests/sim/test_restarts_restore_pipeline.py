"""Restarts restore the whole pipeline (issue 12, safety 3), on the real simulated stack (`make run`).

The sample model drives the simulated car autonomously; the test kills one process after the other
with SIGKILL (sensors, inference, core, console, in turn; 20 kills) while it drives. After each
restart: the car is stopped and stays stopped while the pipeline is live again (frames flow through
camera -> sensor fusion, the model is reported "loaded" only once it is), then after Start the frames
flow through inference -> navigation -> ctrl again and the virtual car drives.

Before the fix the camera was never activated again after the sensors process restarted (DDS kept the
dead camera's media_state service on the graph for its lease, so ctrl never saw it go), and after an
inference restart the model was gone while ctrl still said "loaded" (Start did nothing).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ctrl_pkg.ctrl_node import command_qos
from deepracer_interfaces_pkg.msg import EvoSensorMsg, ServoCtrlMsg
from sensor_fusion_pkg.sensor_fusion_node import SENSOR_QOS

from tests.support.ros import RosTestNode, wait_until, with_depth
from tests.support.stack import SimStack

ARCHIVE = Path(__file__).resolve().parents[2] / "sample_models" / "sim_loop_model.tar.gz"
MODEL = "sim_loop_model"
ROTATION = ("sensors", "inference", "core", "console")
KILLS = 20
DRIVING = 0.15   # m/s: the car moves
STOPPED = 0.03   # m/s


class FrameCounter:
    """Counts the messages of an image topic (counted in the callback; the images are not kept)."""

    def __init__(self, ros: RosTestNode, msg_type: Any, topic: str) -> None:
        self.count = 0
        self._lock = threading.Lock()
        self.subscription = ros.node.create_subscription(msg_type, topic, self._on_msg, SENSOR_QOS)  # as inference

    def _on_msg(self, _msg: Any) -> None:
        with self._lock:
            self.count += 1

    def grew(self, since: int, by: int) -> bool:
        return self.count >= since + by


def _ok(reply: Any) -> dict[str, Any]:
    body: dict[str, Any] = reply.json()
    assert body.get("success") is True, body
    return body


def _speed(client: Any) -> float:
    return float(_ok(client.get("/api/sim/status"))["speed"])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimStack]:
    # its own stack: this test kills its processes, and restarts must not wait the default back-off
    # of up to 30 s that a process crashing again within 30 s gets
    stack = SimStack(tmp_path_factory.mktemp("restarts"), extra_args=["--max-restart-backoff", "1"]).start()
    try:
        yield stack
    finally:
        stack.stop()


def _load_sample_model(client: Any) -> None:
    reply = client.put("/api/uploadModels", files={"file": (ARCHIVE.name, ARCHIVE.read_bytes(), "application/gzip")})
    assert reply.json() == {"success": True, "message": "Model uploaded successfully to your vehicle"}
    _ok(client.post("/api/drive_mode", json={"drive_mode": "auto"}))
    _ok(client.put(f"/api/models/{MODEL}/model"))
    wait_until(lambda: client.get("/api/isModelLoading").json().get("isModelLoading") == "loaded", 60,
               "the sample model to load")
    _ok(client.post("/api/max_nav_throttle", json={"throttle": 50}))


def _restarted(stack: SimStack, name: str, old_pid: int) -> int:
    def new_pid() -> int | None:
        pid = stack.process_pids().get(name)
        return pid if pid not in (None, old_pid) else None

    pid: int = wait_until(new_pid, 20, f"the launcher to restart {name}")
    return pid


def _console(stack: SimStack) -> Any:
    """A logged-in client once the (possibly restarted) console answers."""
    wait_until(stack._console_up, 30, "the console to answer")
    return stack.login()


def _neutral_after(servo: list[Any], first: int) -> bool:
    return any(m.angle == 0.0 and m.throttle == 0.0 for m in servo[first:])


def _kill_and_check(stack: SimStack, name: str, label: str, client: Any, frames: FrameCounter,
                    commands: list[Any], servo: list[Any]) -> Any:
    """Kill `name` while the car drives; check the pipeline comes back and drives after Start.
    Returns the console client (a new one when the console was killed)."""
    what = f"{label} ({name})"
    old_pid = stack.process_pids()[name]
    first = len(servo)
    os.kill(old_pid, signal.SIGKILL)
    _restarted(stack, name, old_pid)
    if name == "console":
        old_client, client = client, _console(stack)
        old_client.close()
    if name != "core":
        # ctrl noticed the new process and stopped driving: its neutral command (the core itself
        # restarted: the launcher set the outputs neutral and the new ctrl starts stopped)
        wait_until(lambda: _neutral_after(servo, first), 20, f"{what}: ctrl to stop the car")
    wait_until(lambda: _speed(client) < STOPPED, 10, f"{what}: the car to stop")

    # the pipeline live again up to the model (the model loaded, fresh frames through sensor fusion),
    # and without Start nothing drives the car: ctrl forwards no command, the car stays put
    wait_until(lambda: client.get("/api/isModelLoading").json().get("isModelLoading") == "loaded", 30,
               f"{what}: the model loaded again")
    first = len(servo)
    mark = frames.count
    try:
        wait_until(lambda: frames.grew(mark, 5), 15, f"{what}: camera frames through sensor fusion")
    except AssertionError as exc:
        sensors = client.get("/api/get_sensor_status").json()
        raise AssertionError(f"{exc}; {frames.count - mark} frames, {frames.subscription.get_publisher_count()} "
                             f"publisher(s) matched, the console says {sensors}") from None
    driven = [m.throttle for m in servo[first:] if abs(m.throttle) > 1e-6]
    assert not driven, f"{what}: ctrl drove the car before Start: throttle {driven[:5]}"
    assert _speed(client) < STOPPED, f"{what}: the car moved before Start"

    # Start: frames through inference and navigation (captured after Start), then the car drives
    started_ns = time.time_ns()
    _ok(client.post("/api/start_stop", json={"start_stop": "start"}))
    mark = len(commands)

    def fresh_commands() -> bool:
        if len(commands) < mark + 5:
            return False
        stamp = commands[-1].source_stamp
        return int(stamp.sec) * 1_000_000_000 + int(stamp.nanosec) > started_ns

    wait_until(fresh_commands, 20, f"{what}: model commands from frames captured after Start")
    wait_until(lambda: _speed(client) > DRIVING, 20, f"{what}: the car to drive again after Start")
    return client


def test_stack_processes_use_no_shared_memory_transport(stack: SimStack) -> None:
    """A SIGKILLed Fast DDS shared-memory reader could stop a topic for everybody (runtime/dds_transport.py)."""
    pids = stack.process_pids()
    assert {"core", "sensors", "inference", "console"} <= set(pids)
    for name, pid in pids.items():
        maps = Path(f"/proc/{pid}/maps").read_text()
        assert "/dev/shm/fastdds" not in maps and "/dev/shm/fastrtps" not in maps, f"{name} maps DDS shared memory"


# About 2 minutes on a quiet 2-core machine, mostly the restarted processes starting (Python imports);
# the limit leaves room for a machine loaded by other test runs.
@pytest.mark.timeout(600)
def test_twenty_kills_in_turn_and_the_car_drives_again_after_each(stack: SimStack) -> None:
    ros = stack.ros_node("restarts_probe")
    client = stack.login()
    try:
        frames = FrameCounter(ros, EvoSensorMsg, "/sensor_fusion_pkg/sensor_msg")   # camera -> sensor fusion
        best_effort = with_depth(command_qos(), 10)  # the drive topics' profile, keeping bursts
        commands = ros.collect(ServoCtrlMsg, "/deepracer_navigation_pkg/auto_drive", best_effort)  # source_stamp
        servo = ros.collect(ServoCtrlMsg, "/ctrl_pkg/servo_msg", best_effort)     # ctrl -> servo
        _load_sample_model(client)
        _ok(client.post("/api/start_stop", json={"start_stop": "start"}))
        wait_until(lambda: _speed(client) > DRIVING, 20, "the car to drive autonomously")

        for kill in range(KILLS):
            client = _kill_and_check(stack, ROTATION[kill % len(ROTATION)], f"kill {kill + 1}", client,
                                     frames, commands, servo)
    finally:
        with contextlib.suppress(Exception):  # the stack stops next anyway
            client.post("/api/start_stop", json={"start_stop": "stop"})
        client.close()
        ros.close()
