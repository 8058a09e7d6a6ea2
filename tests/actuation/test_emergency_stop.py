"""/ctrl_pkg/emergency_stop: a latched stop (neutral, power off) that only an explicit start clears."""

from __future__ import annotations

from deepracer_interfaces_pkg.msg import ServoCtrlMsg
from deepracer_interfaces_pkg.srv import ActiveStateSrv, EnableStateSrv
from std_srvs.srv import Trigger

from tests.actuation.helpers import (
    CORE,
    NEUTRAL,
    SimCar,
    assert_ignored,
    make_publisher,
    register_graph,
    wait_for_subscriber,
)
from tests.support.ros import RosTestNode, publish_until, wait_until

GRAPH = register_graph("core", CORE)



def enable(ros: RosTestNode, active: bool) -> None:
    assert ros.call(EnableStateSrv, "/ctrl_pkg/enable_state", EnableStateSrv.Request(is_active=active)).error == 0


def commands_are_ignored(car: SimCar, pub) -> None:
    """Negative: the path was live (it drove before the e-stop) and drives again after the start below."""
    assert_ignored(pub, ServoCtrlMsg(angle=1.0, throttle=1.0), lambda: (car.drive_duties(), car.gpio(436)),
                   (NEUTRAL, "1"))


def test_emergency_stop_latches_until_explicit_start(ros: RosTestNode, car: SimCar) -> None:
    manual = make_publisher(ros, ServoCtrlMsg, "/webserver_pkg/manual_drive")
    wait_for_subscriber(manual)
    assert ros.call(ActiveStateSrv, "/ctrl_pkg/vehicle_state", ActiveStateSrv.Request(state=0)).error == 0
    enable(ros, True)
    publish_until(manual, ServoCtrlMsg(angle=0.5, throttle=1.0),
                  lambda: car.drive_duties() == ("1311000", "1575000") and car.gpio(436) == "0",
                  what="driving at full throttle")

    response = ros.call(Trigger, "/ctrl_pkg/emergency_stop")
    assert response.success and "enable_state" in response.message
    # the servo watchdog is 30 s in the core fixture, so only the e-stop can have stopped the car this quickly
    wait_until(lambda: car.drive_duties() == NEUTRAL and car.gpio(436) == "1", 5, "neutral and power off")
    commands_are_ignored(car, manual)

    # mode changes and stops do not clear the latch
    assert ros.call(ActiveStateSrv, "/ctrl_pkg/vehicle_state", ActiveStateSrv.Request(state=1)).error == 0
    assert ros.call(ActiveStateSrv, "/ctrl_pkg/vehicle_state", ActiveStateSrv.Request(state=0)).error == 0
    enable(ros, False)
    commands_are_ignored(car, manual)

    enable(ros, True)       # the explicit start
    publish_until(manual, ServoCtrlMsg(angle=0.0, throttle=0.5),
                  lambda: car.drive_duties() == ("1378500", "1450000") and car.gpio(436) == "0",
                  what="driving again after the explicit start")
    enable(ros, False)
    wait_until(lambda: car.drive_duties() == NEUTRAL, 5, "stopped")
