"""Actuation figures: the calibration maths, one command through the servo library, the whole
console -> ctrl_node -> servo_node -> PWM duty path on the simulated car's sysfs tree, and how late
the servo watchdog stops the car after its timeout, idle and with a busy loop on every core."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path


def _maths() -> dict[str, float]:
    from calibration.maths import DEFAULT_MOTOR, command_to_duty

    values = [k / 500 - 1.0 for k in range(1001)]
    start = time.perf_counter()
    for value in values:
        command_to_duty(value, DEFAULT_MOTOR)
    return {"actuation_command_to_duty_us": (time.perf_counter() - start) / len(values) * 1e6}


def _library(base: Path) -> dict[str, float]:
    import os

    from calibration.files import DEFAULT_CALIBRATION, DEFAULT_LED_VALUES
    from drivers.actuation import ServoController
    from drivers.pwm import SysfsPwm
    from sim.sysfs_tree import build_sim_sysfs

    sys_root = build_sim_sysfs(base / "sys", net_interfaces=["lo"])
    os.environ["DEEPRACER_STATE_DIR"] = str(base / "state")
    controller = ServoController(SysfsPwm(sysfs=sys_root), DEFAULT_CALIBRATION, DEFAULT_LED_VALUES)
    controller.start()
    samples = []
    for i in range(500):
        value = (i % 20) / 20.0
        start = time.perf_counter()
        controller.drive(angle=value, throttle=-value)
        samples.append(time.perf_counter() - start)
    return {"actuation_servo_drive_us_p50": statistics.median(samples) * 1e6}


def _end_to_end(base: Path) -> dict[str, float]:
    """manual_drive published -> duty_cycle file changed (ctrl + servo in one process, as on the car)."""
    from deepracer_interfaces_pkg.msg import ServoCtrlMsg
    from deepracer_interfaces_pkg.srv import EnableStateSrv

    from tests.actuation.helpers import (
        Graph,
        GraphSpec,
        make_publisher,
        wait_for_subscriber,
    )

    graph = Graph("bench_core", GraphSpec("tests.actuation.core_host", ["-p", "watchdog_timeout:=5.0"],
                                          "ctrl_node started"), base / "core")
    try:
        graph.ready()
        ros, car = graph.ros, graph.car
        assert ros.call(EnableStateSrv, "/ctrl_pkg/enable_state", EnableStateSrv.Request(is_active=True)).error == 0
        pub = make_publisher(ros, ServoCtrlMsg, "/webserver_pkg/manual_drive")
        wait_for_subscriber(pub)
        samples = []
        lost = 0
        for i in range(300):
            throttle = 0.2 + 0.6 * (i % 2)
            expected = "1419000" if i % 2 == 0 else "1338000"
            start = time.perf_counter()
            pub.publish(ServoCtrlMsg(angle=0.0, throttle=throttle))
            deadline = start + 1.0
            while car.duty(0) != expected:
                if time.perf_counter() > deadline:
                    lost += 1
                    break
                time.sleep(0.0002)
            else:
                samples.append(time.perf_counter() - start)
        samples = samples[10:] or samples      # the first ones include discovery warm-up
        samples.sort()
        return {
            "actuation_manual_drive_to_pwm_p50_ms": samples[len(samples) // 2] * 1e3,
            "actuation_manual_drive_to_pwm_p95_ms": samples[int(len(samples) * 0.95) - 1] * 1e3,
            "actuation_manual_drive_to_pwm_p99_ms": samples[int(len(samples) * 0.99) - 1] * 1e3,
            "actuation_manual_drive_lost": float(lost),
        }
    finally:
        graph.close()


def _watchdog_lateness(base: Path) -> dict[str, float]:
    """Commands stop: how long after `watchdog_timeout` the duty is neutral (servo_node's own process),
    idle and with a busy loop on every core beside it."""
    import os
    import subprocess
    import sys

    from deepracer_interfaces_pkg.msg import ServoCtrlMsg

    from tests.actuation.helpers import NEUTRAL, Graph, GraphSpec, make_publisher, wait_for_subscriber
    from tests.support.ros import publish_until

    timeout = 0.5
    graph = Graph("bench_watchdog", GraphSpec("servo_pkg.servo_node",
                                              ["-p", f"watchdog_timeout:={timeout}", "-p", "deadline_timeout:=30.0"],
                                              "servo_node started"), base / "watchdog")

    def lateness(trials: int) -> list[float]:
        late = []
        for i in range(trials):
            command = ServoCtrlMsg(angle=0.5, throttle=0.3 + 0.2 * (i % 2))
            publish_until(pub, command, lambda: car.drive_duties() != NEUTRAL, timeout=15)
            pub.publish(command)
            last = time.perf_counter()
            while car.drive_duties() != NEUTRAL:
                if time.perf_counter() - last > 10:
                    raise AssertionError("the watchdog never stopped the car")
                time.sleep(0.0005)
            late.append(time.perf_counter() - last - timeout)
        return sorted(late)

    try:
        graph.ready()
        ros, car = graph.ros, graph.car
        pub = make_publisher(ros, ServoCtrlMsg, "/ctrl_pkg/servo_msg")
        wait_for_subscriber(pub)
        idle = lateness(10)
        hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
        try:
            loaded = lateness(10)
        finally:
            for hog in hogs:
                hog.kill()
                hog.wait()
        return {
            "actuation_watchdog_late_idle_p50_ms": idle[len(idle) // 2] * 1e3,
            "actuation_watchdog_late_idle_max_ms": idle[-1] * 1e3,
            "actuation_watchdog_late_cpu_hogs_p50_ms": loaded[len(loaded) // 2] * 1e3,
            "actuation_watchdog_late_cpu_hogs_max_ms": loaded[-1] * 1e3,
        }
    finally:
        graph.close()


def run() -> dict[str, float]:
    import os

    previous = os.environ.get("DEEPRACER_STATE_DIR")
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-actuation-") as tmp:
        base = Path(tmp)
        try:
            figures.update(_maths())
            figures.update(_library(base / "library"))
        finally:
            if previous is None:
                os.environ.pop("DEEPRACER_STATE_DIR", None)
            else:
                os.environ["DEEPRACER_STATE_DIR"] = previous
        figures.update(_end_to_end(base / "e2e"))
        figures.update(_watchdog_lateness(base / "watchdog"))
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value:.3f}")
