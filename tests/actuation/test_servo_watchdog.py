"""Command watchdog: throttle neutral and steering centred when commands stop (timer and QoS deadline)."""

from __future__ import annotations

import time

import pytest
from ctrl_pkg.ctrl_node import command_qos
from deepracer_interfaces_pkg.msg import ServoCtrlMsg

from tests.actuation.helpers import (
    NEUTRAL,
    Graph,
    GraphPool,
    GraphSpec,
    SimCar,
    make_publisher,
    register_graph,
    wait_for_log,
    wait_for_subscriber,
)
from tests.support.ros import NodeProcess, RosTestNode, publish_until, wait_until

# The timer watchdog is set longer than the QoS deadline so each path is observed on its own.
WATCHDOG_S = 0.6
DEADLINE_S = 0.2


GRAPH = register_graph("servo_watchdog", GraphSpec(
    "servo_pkg.servo_node", ["-p", f"watchdog_timeout:={WATCHDOG_S}", "-p", f"deadline_timeout:={DEADLINE_S}"],
    "servo_node started"))


@pytest.fixture(scope="module")
def graph(graph_pool: GraphPool) -> Graph:
    return graph_pool.get(GRAPH)


@pytest.fixture(scope="module")
def ros(graph: Graph) -> RosTestNode:
    return graph.ros


@pytest.fixture(scope="module")
def servo(graph: Graph) -> tuple[SimCar, NodeProcess]:
    return graph.car, graph.proc


def test_timer_watchdog_returns_to_neutral(ros: RosTestNode, servo: tuple[SimCar, NodeProcess]) -> None:
    car, proc = servo
    pub = make_publisher(ros, ServoCtrlMsg, "/ctrl_pkg/servo_msg")    # offers no deadline
    wait_for_subscriber(pub)
    publish_until(pub, ServoCtrlMsg(angle=0.8, throttle=0.6), lambda: car.drive_duties() == ("1365000", "1650000"))
    # the commands stop (e.g. the console's driver went away): the outputs go back on their own
    wait_until(lambda: car.drive_duties() == NEUTRAL, 10, "duty back to mid after the watchdog")
    wait_for_log(proc, f"command watchdog: no servo command for {WATCHDOG_S:g} s")
    ros.node.destroy_publisher(pub)


def test_qos_deadline_event_returns_to_neutral(ros: RosTestNode, servo: tuple[SimCar, NodeProcess]) -> None:
    car, proc = servo
    pub = make_publisher(ros, ServoCtrlMsg, "/ctrl_pkg/servo_msg", command_qos(deadline_s=DEADLINE_S))
    wait_until(lambda: pub.get_subscription_count() >= 2, 15, "both servo_msg listeners matched")
    publish_until(pub, ServoCtrlMsg(angle=-0.5, throttle=0.5), lambda: car.drive_duties() == ("1378500", "1325000"))
    wait_until(lambda: car.drive_duties() == NEUTRAL, 10, "duty back to mid after the deadline event")
    wait_for_log(proc, "QoS deadline missed on /ctrl_pkg/servo_msg")
    ros.node.destroy_publisher(pub)


def test_steady_commands_are_never_cut_and_resume_after_a_stop(ros: RosTestNode,
                                                              servo: tuple[SimCar, NodeProcess]) -> None:
    car, _ = servo
    pub = make_publisher(ros, ServoCtrlMsg, "/ctrl_pkg/servo_msg")     # no deadline offered
    wait_for_subscriber(pub)
    command = ServoCtrlMsg(angle=0.0, throttle=0.25)
    publish_until(pub, command, lambda: car.duty(0) == "1412250")
    # 50 Hz for three deadline periods: deadline events may fire (this publisher feeds only the plain
    # listener) but commands are still fresh, so nothing may go neutral
    end = time.monotonic() + 3 * DEADLINE_S
    while time.monotonic() < end:
        pub.publish(command)
        assert car.duty(0) == "1412250"
        time.sleep(0.02)
    wait_until(lambda: car.drive_duties() == NEUTRAL, 10, "neutral after silence")
    publish_until(pub, command, lambda: car.duty(0) == "1412250", what="a fresh command drives again")
    ros.node.destroy_publisher(pub)


def test_raw_calibration_preview_is_not_cut_by_the_watchdog(ros: RosTestNode,
                                                           servo: tuple[SimCar, NodeProcess]) -> None:
    car, proc = servo
    drive = make_publisher(ros, ServoCtrlMsg, "/ctrl_pkg/servo_msg")
    raw = make_publisher(ros, ServoCtrlMsg, "/ctrl_pkg/raw_pwm")
    wait_for_subscriber(drive)
    wait_for_subscriber(raw)
    publish_until(drive, ServoCtrlMsg(angle=0.0, throttle=0.0), lambda: car.drive_duties() == NEUTRAL)
    publish_until(raw, ServoCtrlMsg(angle=1_700_000.0, throttle=-1.0), lambda: car.duty(1) == "1700000")
    trips = proc.log_text().count("command watchdog")
    # The calibration page holds a raw pulse while the user measures. Observe 1.5 watchdog periods
    # (asserting that something does NOT happen needs an observation window): it never moves.
    end = time.monotonic() + 1.5 * WATCHDOG_S
    while time.monotonic() < end:
        assert car.duty(1) == "1700000"
        time.sleep(0.01)
    assert proc.log_text().count("command watchdog") == trips
    # the node was alive through the window: a new preview still applies at once
    publish_until(raw, ServoCtrlMsg(angle=1_650_000.0, throttle=-1.0), lambda: car.duty(1) == "1650000",
                  what="a later raw pulse")
