"""servo_node: /ctrl_pkg/servo_msg and /ctrl_pkg/raw_pwm become the calibrated duty files."""

from __future__ import annotations

import pytest
from deepracer_interfaces_pkg.msg import ServoCtrlMsg

from tests.actuation.helpers import (
    NEUTRAL,
    Graph,
    GraphPool,
    GraphSpec,
    SimCar,
    make_publisher,
    register_graph,
    wait_for_subscriber,
)
from tests.support.ros import RosTestNode, publish_until

GRAPH = register_graph("servo_commands", GraphSpec("servo_pkg.servo_node", ["-p", "watchdog_timeout:=3.0"],
                                                     "servo_node started"))


@pytest.fixture(scope="module")
def graph(graph_pool: GraphPool) -> Graph:
    return graph_pool.get(GRAPH)


@pytest.fixture(scope="module")
def ros(graph: Graph) -> RosTestNode:
    return graph.ros


@pytest.fixture(scope="module")
def car(graph: Graph) -> SimCar:
    return graph.car


@pytest.fixture(scope="module")
def servo_pub(ros: RosTestNode, car: SimCar):
    pub = make_publisher(ros, ServoCtrlMsg, "/ctrl_pkg/servo_msg")
    wait_for_subscriber(pub)
    return pub


@pytest.fixture(scope="module")
def raw_pub(ros: RosTestNode, car: SimCar):
    pub = make_publisher(ros, ServoCtrlMsg, "/ctrl_pkg/raw_pwm")
    wait_for_subscriber(pub)
    return pub


def test_start_state_is_neutral_with_tail_light_and_power_off(car: SimCar) -> None:
    periods = [(car.sys / "class" / "pwm" / "pwmchip1" / f"pwm{c}" / "period").read_text() for c in range(5)]
    assert periods == ["20000000"] * 5
    assert car.drive_duties() == NEUTRAL
    assert car.led_duties() == ("0", "0", "10000000")       # default tail light: blue
    assert car.gpio(436) == "1"                             # servo power disabled while idle


def test_commands_become_calibrated_duties(car: SimCar, servo_pub) -> None:
    publish_until(servo_pub, ServoCtrlMsg(angle=0.5, throttle=0.5),
                  lambda: car.drive_duties() == ("1378500", "1575000"), what="throttle 0.5 / angle 0.5")
    publish_until(servo_pub, ServoCtrlMsg(angle=-1.0, throttle=-1.0),
                  lambda: car.drive_duties() == ("1603500", "1200000"), what="full reverse / full right")
    publish_until(servo_pub, ServoCtrlMsg(angle=-0.999, throttle=0.0),
                  lambda: car.drive_duties() == ("1446000", "1200250"), what="float32 maths (-0.999)")


def test_out_of_range_axis_is_ignored(car: SimCar, servo_pub) -> None:
    publish_until(servo_pub, ServoCtrlMsg(angle=0.0, throttle=0.25),
                  lambda: car.drive_duties() == ("1412250", "1450000"))
    publish_until(servo_pub, ServoCtrlMsg(angle=1.0, throttle=5.0),
                  lambda: car.duty(1) == "1700000", what="valid angle applied")
    assert car.duty(0) == "1412250"                         # the bad throttle changed nothing


def test_raw_pwm_preview_within_the_safe_window(car: SimCar, raw_pub) -> None:
    publish_until(raw_pub, ServoCtrlMsg(angle=1_620_000.0, throttle=-1.0),
                  lambda: car.duty(1) == "1620000", what="raw steering pulse")
    publish_until(raw_pub, ServoCtrlMsg(angle=-1.0, throttle=1_480_000.0),
                  lambda: car.duty(0) == "1480000", what="raw throttle pulse")
    assert car.duty(1) == "1620000"                         # -1 = leave that axis alone
    # An out-of-window pulse is ignored; the other axis of the same message shows it was processed.
    publish_until(raw_pub, ServoCtrlMsg(angle=3_000_000.0, throttle=1_490_000.0),
                  lambda: car.duty(0) == "1490000", what="the valid throttle beside a too-long angle pulse")
    assert car.duty(1) == "1620000"
    publish_until(raw_pub, ServoCtrlMsg(angle=1_500_000.0, throttle=100_000.0),
                  lambda: car.duty(1) == "1500000", what="the valid angle beside a too-short throttle pulse")
    assert car.duty(0) == "1490000"
