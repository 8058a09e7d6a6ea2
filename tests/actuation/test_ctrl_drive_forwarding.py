"""ctrl_node with servo_node: which drive topic reaches the wheels in which state, servo power, and the
capture stamp of autonomous commands (ctrl keeps it, servo measures capture -> PWM written)."""

from __future__ import annotations

import time

import pytest
from builtin_interfaces.msg import Time
from ctrl_pkg.ctrl_node import command_qos
from deepracer_interfaces_pkg.msg import LatencyMeasureMsg, ServoCtrlMsg
from deepracer_interfaces_pkg.srv import ActiveStateSrv, EnableStateSrv

from tests.actuation.fake_services import FakeInferenceStack
from tests.actuation.helpers import (
    CORE,
    NEUTRAL,
    Graph,
    SimCar,
    assert_ignored,
    make_publisher,
    register_graph,
    wait_for_subscriber,
)
from tests.support.ros import RosTestNode, publish_until, wait_until

GRAPH = register_graph("core", CORE)


@pytest.fixture(scope="module")
def pubs(ros: RosTestNode, car: SimCar) -> dict[str, object]:
    topics = {"manual": "/webserver_pkg/manual_drive", "auto": "/deepracer_navigation_pkg/auto_drive",
              "calibration": "/webserver_pkg/calibration_drive"}
    made = {name: make_publisher(ros, ServoCtrlMsg, topic) for name, topic in topics.items()}
    for pub in made.values():
        wait_for_subscriber(pub)
    return made


def set_state(ros: RosTestNode, state: int, active: bool) -> None:
    assert ros.call(ActiveStateSrv, "/ctrl_pkg/vehicle_state", ActiveStateSrv.Request(state=state)).error == 0
    assert ros.call(EnableStateSrv, "/ctrl_pkg/enable_state", EnableStateSrv.Request(is_active=active)).error == 0


def test_nothing_drives_before_start(ros: RosTestNode, core_graph: Graph, pubs) -> None:
    car, proc = core_graph.car, core_graph.proc
    assert "ctrl_node started: manual (stopped)" in proc.log_text()      # boots stopped
    set_state(ros, 0, False)
    wait_until(lambda: car.gpio(436) == "1", 5, "servo power off while stopped")
    command = ServoCtrlMsg(angle=0.5, throttle=0.5)
    assert_ignored(pubs["manual"], command, car.drive_duties, NEUTRAL)
    # the same command from the same publisher drives once started: the path was live
    set_state(ros, 0, True)
    publish_until(pubs["manual"], command, lambda: car.drive_duties() == ("1378500", "1575000"),
                  what="the same command at the wheels after start")
    set_state(ros, 0, False)
    wait_until(lambda: car.drive_duties() == NEUTRAL, 10, "neutral on stop")


def test_manual_mode_drives_after_start_and_stops(ros: RosTestNode, car: SimCar, pubs) -> None:
    set_state(ros, 0, True)
    wait_until(lambda: car.gpio(436) == "0", 10, "servo power enabled on start")
    publish_until(pubs["manual"], ServoCtrlMsg(angle=0.5, throttle=0.5),
                  lambda: car.drive_duties() == ("1378500", "1575000"), what="manual command at the wheels")
    assert ros.call(EnableStateSrv, "/ctrl_pkg/enable_state", EnableStateSrv.Request(is_active=False)).error == 0
    wait_until(lambda: car.drive_duties() == NEUTRAL, 10, "neutral on stop")
    wait_until(lambda: car.gpio(436) == "1", 10, "servo power disabled when idle")
    # the path was live a moment ago (the command above drove); now it is ignored
    assert_ignored(pubs["manual"], ServoCtrlMsg(angle=-0.5, throttle=0.25), car.drive_duties, NEUTRAL)


def test_autonomous_mode_forwards_navigation_not_manual(ros: RosTestNode, car: SimCar, pubs,
                                                       fake_inference: FakeInferenceStack) -> None:
    fake_inference.clear()
    set_state(ros, 1, True)
    wait_until(lambda: [r.start for r in fake_inference.named("inference_state")] == [1], 10, "inference started")
    publish_until(pubs["auto"], ServoCtrlMsg(angle=-0.25, throttle=0.8),
                  lambda: car.drive_duties() == ("1338000", "1387500"), what="auto_drive at the wheels")
    assert_ignored(pubs["manual"], ServoCtrlMsg(angle=1.0, throttle=1.0), car.drive_duties, ("1338000", "1387500"))
    # the manual path is live: the same publisher drives again in manual mode
    set_state(ros, 0, True)
    publish_until(pubs["manual"], ServoCtrlMsg(angle=0.5, throttle=0.5),
                  lambda: car.drive_duties() == ("1378500", "1575000"), what="manual drives again in manual mode")


def test_navigation_stamp_travels_to_the_servo_which_measures_the_latency(ros: RosTestNode, car: SimCar,
                                                                         pubs) -> None:
    set_state(ros, 1, True)
    forwarded = ros.collect(ServoCtrlMsg, "/ctrl_pkg/servo_msg", command_qos())
    latencies = ros.collect(LatencyMeasureMsg, "/servo_pkg/latency", 10)
    captured = time.time_ns() - 10_000_000_000                       # the frame was captured 10 s ago
    stamp = Time(sec=captured // 1_000_000_000, nanosec=captured % 1_000_000_000)
    publish_until(pubs["auto"], ServoCtrlMsg(angle=0.5, throttle=0.25, source_stamp=stamp),
                  lambda: latencies and car.drive_duties() == ("1412250", "1575000"),
                  what="stamped command at the wheels and its latency measured")
    mine = [m for m in forwarded if m.source_stamp == stamp]
    assert mine and mine[-1].angle == pytest.approx(0.5) and mine[-1].throttle == pytest.approx(0.25)
    # capture -> PWM written: the 10 s age plus the way through ctrl and servo (the upper bound only
    # rules out a wrong unit or clock, not a slow delivery on a loaded machine)
    assert 10_000.0 <= latencies[-1].latency_ms < 20_000.0


def test_calibration_mode_forwards_raw_pulses(ros: RosTestNode, car: SimCar, pubs) -> None:
    set_state(ros, 2, True)
    wait_until(lambda: car.drive_duties() == NEUTRAL, 10, "neutral on the mode change")
    publish_until(pubs["calibration"], ServoCtrlMsg(angle=1_570_000.0, throttle=-1.0),
                  lambda: car.duty(1) == "1570000", what="raw steering preview")
    assert_ignored(pubs["manual"], ServoCtrlMsg(angle=0.0, throttle=1.0), car.drive_duties, (NEUTRAL[0], "1570000"))
    set_state(ros, 0, False)
    wait_until(lambda: car.drive_duties() == NEUTRAL, 10, "leaving calibration returns to neutral")
