"""The car's CPU budget: the whole car stack inside a CPU cgroup of 0.5 core in total (about the car's
2-core Apollo Lake Atom, a quarter of one of our cores per core), the simulator outside it.

For each camera rate (15 then 30 fps) the stack drives the simulated car autonomously with the sample
model, then manually:
  atom_<fps>fps_frames_answered          distinct camera frames answered by an auto_drive command,
                                         over the frames the camera should have taken (1.0 = all)
  atom_<fps>fps_e2e_p50_ms / _p99_ms     frame capture stamp -> auto_drive received (outside the cgroup)
  atom_<fps>fps_manual_to_pwm_p50_ms / _p99_ms
                                         console PUT /api/manual_drive sent -> throttle duty_cycle written
  atom_<fps>fps_watchdog_late_max_ms / _p50_ms
                                         the servo watchdog's stop: time past its timeout after the last
                                         command until the throttle duty is back at neutral
  atom_<fps>fps_throttled_share          share of the cgroup's scheduler periods that were throttled
  atom_<fps>fps_cpu_cores                CPU used by the cgroup over the autonomous window (cores)
Goals (issue: real time): every frame answered at 15 fps, e2e p99 <= 30 ms, manual -> PWM p99 <= 20 ms,
watchdog never late by more than 50 ms.

If no CPU cgroup can be made (not root, no controller), `atom_skipped` says why and nothing else runs.
`PROFILE=1 make bench` also records a py-spy flame graph of every car process during the 30 fps
autonomous window into build/profile/<PROFILE_LABEL or "now">-<process>.svg.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench.bench_stack import _drive
from tests.support.cgroup import CgroupUnavailable, CpuLimit
from tests.support.ros import wait_until
from tests.support.stack import SimStack

REPO = Path(__file__).resolve().parents[2]
CORES = 0.5
RATES = (15.0, 30.0)
WINDOW_S = 15.0
MANUAL_SAMPLES = 60
WATCHDOG_REPEATS = 5


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def _stamp_ns(stamp: Any) -> int:
    return int(stamp.sec) * 1_000_000_000 + int(stamp.nanosec)


def _subscribe_commands(ros: Any) -> list[tuple[int, int]]:
    """(received ns, source capture stamp ns) of every autonomous command."""
    from deepracer_interfaces_pkg import msg as messages
    from rclpy.qos import qos_profile_sensor_data

    received: list[tuple[int, int]] = []
    ros.node.create_subscription(  # community dialect: the command carries its frame's capture stamp
        messages.ServoCtrlMsg, "/deepracer_navigation_pkg/auto_drive",
        lambda m: received.append((time.time_ns(), _stamp_ns(m.source_stamp))), qos_profile_sensor_data)
    return received


def _throttle_duty_path(stack: SimStack) -> Path:
    from drivers.pwm import THROTTLE_CHANNEL
    from sim.sysfs_tree import sim_pwm_duty_path

    return sim_pwm_duty_path(stack.sim_dir / "sys", THROTTLE_CHANNEL)


def _read(path: Path) -> str:
    return path.read_text().strip()


def _wait_change(path: Path, old: str, timeout: float = 2.0) -> float | None:
    """perf_counter time when `path` stops reading `old`, None on timeout."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if _read(path) != old:
            return time.perf_counter()
        time.sleep(0.0002)
    return None


def _profile(stack: SimStack, seconds: float) -> list[subprocess.Popen[bytes]]:
    """py-spy flame graphs of the car processes (not the simulator) during the next `seconds`."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("   (PROFILE=1: py-spy is not installed; no flame graphs)", flush=True)
        return []
    out = REPO / "build" / "profile"
    out.mkdir(parents=True, exist_ok=True)
    label = os.environ.get("PROFILE_LABEL", "now")
    procs = []
    for name, pid in stack.process_pids().items():
        if name == "sim":
            continue
        procs.append(subprocess.Popen(
            [spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "100", "--nonblocking",
             "--format", "flamegraph", "--output", str(out / f"{label}-{name}.svg")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return procs


def _autonomous(stack: SimStack, limit: CpuLimit, fps: float, profile: bool) -> dict[str, float]:
    ros = stack.ros_node("atom_probe")
    try:
        received = _subscribe_commands(ros)
        _drive(stack)
        wait_until(lambda: len(received) > fps, 60, "autonomous commands")
        time.sleep(3.0)  # settle
        spies = _profile(stack, WINDOW_S) if profile else []
        before = limit.throttling()
        usage0 = _cgroup_usage_s(limit)
        start_ns = time.time_ns()
        received.clear()
        time.sleep(WINDOW_S)
        window = list(received)
        end_ns = time.time_ns()
        usage1 = _cgroup_usage_s(limit)
        after = limit.throttling()
        for spy in spies:
            spy.wait(timeout=WINDOW_S + 30)
    finally:
        ros.close()
    stamps = {stamp for _recv, stamp in window if start_ns - 1_000_000_000 <= stamp <= end_ns}
    latencies = [(recv - stamp) / 1e6 for recv, stamp in window]
    elapsed = (end_ns - start_ns) / 1e9
    periods = after["periods"] - before["periods"]
    tag = f"atom_{fps:g}fps"
    figures = {
        f"{tag}_frames_answered": round(len(stamps) / (fps * elapsed), 3),
        f"{tag}_commands": float(len(window)),
        f"{tag}_e2e_p50_ms": round(_pct(latencies, 50), 2),
        f"{tag}_e2e_p99_ms": round(_pct(latencies, 99), 2),
        f"{tag}_throttled_share": round((after["throttled"] - before["throttled"]) / periods, 3) if periods else 0.0,
    }
    if usage0 is not None and usage1 is not None:
        figures[f"{tag}_cpu_cores"] = round((usage1 - usage0) / elapsed, 3)
    return figures


def _cgroup_usage_s(limit: CpuLimit) -> float | None:
    """CPU seconds used by the cgroup so far (v2 cpu.stat usage_usec; v1 cpuacct.usage)."""
    if limit.version == 2:
        for line in (limit.path / "cpu.stat").read_text().splitlines():
            if line.startswith("usage_usec"):
                return int(line.split()[1]) / 1e6
        return None
    # v1: the cpuacct controller may be mounted with cpu (same folder) or apart (sum the pids' times)
    usage = limit.path / "cpuacct.usage"
    if usage.exists():
        return int(usage.read_text()) / 1e9
    import psutil

    total = 0.0
    for pid in limit.pids():
        try:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def _watchdog_timeout(ros: Any) -> float:
    from rcl_interfaces.srv import GetParameters

    reply = ros.call(GetParameters, "/servo_pkg/servo_node/get_parameters",
                     GetParameters.Request(names=["watchdog_timeout"]), timeout=30)
    return float(reply.values[0].double_value)


def _manual(stack: SimStack, fps: float) -> dict[str, float]:
    from deepracer_interfaces_pkg.msg import ServoCtrlMsg

    client = stack.login()
    duty = _throttle_duty_path(stack)
    ros = stack.ros_node("atom_manual")
    try:
        assert client.put("/api/start_stop", json={"start_stop": "stop"}).json()["success"]
        assert client.post("/api/drive_mode", json={"drive_mode": "manual"}).json()["success"]
        assert client.put("/api/start_stop", json={"start_stop": "start"}).json()["success"]
        time.sleep(1.0)  # the car has stopped: the duty now is neutral
        neutral = _read(duty)

        # the servo watchdog: commands straight on ctrl's input, then silence
        timeout_s = _watchdog_timeout(ros)
        publisher = ros.node.create_publisher(ServoCtrlMsg, "/webserver_pkg/manual_drive", 10)
        wait_until(lambda: publisher.get_subscription_count() > 0, 30, "ctrl to subscribe manual_drive")
        late: list[float] = []
        for _ in range(WATCHDOG_REPEATS):
            deadline = time.monotonic() + 5
            while _read(duty) == neutral and time.monotonic() < deadline:
                publisher.publish(ServoCtrlMsg(angle=0.0, throttle=0.4))
                time.sleep(0.02)
            for i in range(10):   # a steady stream, then silence from the last publish on
                publisher.publish(ServoCtrlMsg(angle=0.0, throttle=0.4))
                last = time.perf_counter()
                if i < 9:
                    time.sleep(0.02)
            stopped = None
            while time.perf_counter() < last + timeout_s + 5:
                if _read(duty) == neutral:
                    stopped = time.perf_counter()
                    break
                time.sleep(0.0005)
            late.append(((stopped if stopped is not None else last + timeout_s + 5) - last - timeout_s) * 1000)
        ros.node.destroy_publisher(publisher)

        # the console's manual drive (a client written for the original: PUT, no heartbeat)
        samples: list[float] = []
        lost = 0
        for i in range(MANUAL_SAMPLES + 5):
            old = _read(duty)
            body = {"angle": 0.0, "throttle": -0.3 if i % 2 else -0.6, "max_speed": 1.0}
            t0 = time.perf_counter()
            answer = client.put("/api/manual_drive", json=body)
            changed = _wait_change(duty, old)
            assert answer.json().get("success"), answer.text
            if changed is None:
                lost += 1
            elif i >= 5:                      # the first ones warm the path up
                samples.append((changed - t0) * 1000)
            time.sleep(0.05)
        assert client.put("/api/start_stop", json={"start_stop": "stop"}).json()["success"]
    finally:
        ros.close()
        client.close()
    tag = f"atom_{fps:g}fps"
    return {
        f"{tag}_manual_to_pwm_p50_ms": round(_pct(samples, 50), 2),
        f"{tag}_manual_to_pwm_p99_ms": round(_pct(samples, 99), 2),
        f"{tag}_manual_lost": float(lost),
        f"{tag}_watchdog_timeout_s": timeout_s,
        f"{tag}_watchdog_late_p50_ms": round(_pct(late, 50), 1),
        f"{tag}_watchdog_late_max_ms": round(max(late), 1),
    }


def _phase(limit: CpuLimit, fps: float, profile: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-atom-") as tmp:
        stack = SimStack(Path(tmp), extra_args=["--fps", f"{fps:g}"], preexec=limit.join)
        stack.start(timeout=300)
        try:
            sim_pid = stack.process_pids().get("sim")
            if sim_pid is not None:
                limit.release(sim_pid)          # the simulator is not part of the car
            figures = _autonomous(stack, limit, fps, profile)
            figures.update(_manual(stack, fps))
            return figures
        finally:
            stack.stop()


def run() -> dict[str, float | str]:
    try:
        limit = CpuLimit.create(f"deepracer-bench-{os.getpid()}", CORES)
    except CgroupUnavailable as error:
        print(f"   atom budget skipped: {error}", flush=True)
        return {"atom_skipped": str(error)}
    figures: dict[str, float | str] = {"atom_cgroup_version": float(limit.version),
                                        "atom_cgroup_cores": limit.limit_cores()}
    profile = os.environ.get("PROFILE") == "1"
    try:
        for fps in RATES:
            figures.update(_phase(limit, fps, profile and fps == RATES[-1]))
    finally:
        limit.remove()
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
