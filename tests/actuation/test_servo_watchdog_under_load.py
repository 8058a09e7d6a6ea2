"""The servo watchdog under load: busy processes on every core beside the stack do not delay the stop.

The watchdog runs on a thread of its own in the servo process (`drivers.watchdog_timer`), asleep until
the deadline of the last command. Its lateness is measured by `make bench`; this test asserts the
requirement only: the car is neutral within a second after its watchdog timeout, with the CPU full.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from deepracer_interfaces_pkg.msg import ServoCtrlMsg

from tests.actuation.helpers import (
    NEUTRAL,
    Graph,
    GraphPool,
    GraphSpec,
    make_publisher,
    register_graph,
    wait_for_subscriber,
)
from tests.support.ros import publish_until, wait_until

WATCHDOG_S = 0.5
BOUND_S = WATCHDOG_S + 1.0    # the requirement: stopped within a second of the watchdog timeout

GRAPH = register_graph("servo_under_load", GraphSpec(
    "servo_pkg.servo_node", ["-p", f"watchdog_timeout:={WATCHDOG_S}", "-p", "deadline_timeout:=30.0"],
    "servo_node started"))


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])   # utime + stime


@pytest.fixture
def cpu_hogs() -> Iterator[list[subprocess.Popen[bytes]]]:
    """One busy loop per core, for the length of the test (the load is the point)."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    try:
        yield hogs
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.wait(timeout=10)


def test_watchdog_stops_the_car_in_time_with_every_core_busy(graph_pool: GraphPool,
                                                              cpu_hogs: list[subprocess.Popen[bytes]]) -> None:
    graph: Graph = graph_pool.get(GRAPH)
    ros, car = graph.ros, graph.car
    pub = make_publisher(ros, ServoCtrlMsg, "/ctrl_pkg/servo_msg")      # offers no deadline: the timer path
    wait_for_subscriber(pub)
    try:
        before = [cpu_ticks(hog.pid) for hog in cpu_hogs]
        for attempt in range(3):
            throttle = 0.6 if attempt % 2 == 0 else 0.4
            command = ServoCtrlMsg(angle=0.8, throttle=throttle)
            publish_until(pub, command, lambda: car.drive_duties() != NEUTRAL, timeout=15)
            last_command = time.monotonic()
            pub.publish(command)                  # the driver's last command, then silence
            wait_until(lambda: car.drive_duties() == NEUTRAL, 10, "neutral after the watchdog")
            stopped_after = time.monotonic() - last_command
            assert stopped_after <= BOUND_S, f"stopped {stopped_after:.2f} s after the last command under load"
        # the load was real: every hog burnt CPU while the watchdog was tested
        assert all(cpu_ticks(hog.pid) > start for hog, start in zip(cpu_hogs, before, strict=True))
        assert all(hog.poll() is None for hog in cpu_hogs)
    finally:
        ros.node.destroy_publisher(pub)
