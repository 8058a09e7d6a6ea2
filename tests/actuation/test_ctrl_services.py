"""ctrl_node services: modes, calibration/LED gating (errors outside calibration mode), throttle, camera."""

from __future__ import annotations

import json

import pytest
from deepracer_interfaces_pkg.srv import (
    ActiveStateSrv,
    EnableStateSrv,
    GetCalibrationSrv,
    GetCtrlModesSrv,
    GetLedCtrlSrv,
    NavThrottleSrv,
    SetCalibrationSrv,
    SetLedCtrlSrv,
)

from tests.actuation.fake_services import FakeInferenceStack
from tests.actuation.helpers import CORE, SimCar, register_graph
from tests.support.ros import RosTestNode, wait_until

GRAPH = register_graph("core", CORE)



def vehicle_state(ros: RosTestNode, state: int) -> int:
    return ros.call(ActiveStateSrv, "/ctrl_pkg/vehicle_state", ActiveStateSrv.Request(state=state)).error


def test_modes(ros: RosTestNode, car: SimCar) -> None:
    response = ros.call(GetCtrlModesSrv, "/ctrl_pkg/get_ctrl_modes")
    assert (list(response.modes), response.error) == ([0, 1, 2], 0)
    assert vehicle_state(ros, 5) == 1


def test_camera_is_activated(fake_inference: FakeInferenceStack, car: SimCar) -> None:
    def activations() -> list[int]:
        return [r.activate_video for name, r in list(fake_inference.history) if name == "media_state"]

    wait_until(activations, 10, "media_state(activate_video=1) from ctrl_node")
    assert activations() == [1]          # once while the camera service stays up


def test_calibration_and_led_calls_outside_calibration_mode_are_errors(ros: RosTestNode, car: SimCar) -> None:
    assert vehicle_state(ros, 0) == 0
    assert ros.call(GetCalibrationSrv, "/ctrl_pkg/get_car_cal", GetCalibrationSrv.Request(cal_type=0)).error == 1
    before = (car.state / "calibration.json").read_bytes()
    request = SetCalibrationSrv.Request(cal_type=0, max=1720000, mid=1480000, min=1310000, polarity=1)
    assert ros.call(SetCalibrationSrv, "/ctrl_pkg/set_car_cal", request).error == 1
    assert (car.state / "calibration.json").read_bytes() == before
    led = ros.call(GetLedCtrlSrv, "/ctrl_pkg/get_car_led")
    assert (led.red, led.green, led.blue) == (-1, -1, -1)
    assert ros.call(SetLedCtrlSrv, "/ctrl_pkg/set_car_led", SetLedCtrlSrv.Request(red=1, green=2, blue=3)).error == 1
    assert car.led_duties() == ("0", "0", "10000000")


def test_calibration_mode_reads_and_writes_through_the_servo_node(ros: RosTestNode, car: SimCar) -> None:
    assert vehicle_state(ros, 2) == 0
    assert ros.call(EnableStateSrv, "/ctrl_pkg/enable_state", EnableStateSrv.Request(is_active=True)).error == 0
    cal = ros.call(GetCalibrationSrv, "/ctrl_pkg/get_car_cal", GetCalibrationSrv.Request(cal_type=1))
    assert (cal.max, cal.mid, cal.min, cal.polarity, cal.error) == (1603500, 1446000, 1311000, -1, 0)

    bad = SetCalibrationSrv.Request(cal_type=0, max=1310000, mid=1480000, min=1720000, polarity=1)
    assert ros.call(SetCalibrationSrv, "/ctrl_pkg/set_car_cal", bad).error == 1
    good = SetCalibrationSrv.Request(cal_type=0, max=1720000, mid=1480000, min=1310000, polarity=1)
    assert ros.call(SetCalibrationSrv, "/ctrl_pkg/set_car_cal", good).error == 0
    try:
        saved = json.loads((car.state / "calibration.json").read_text())["Calibration"]["Servo"]
        assert saved == {"max": 1720000, "mid": 1480000, "min": 1310000, "polarity": 1}
        cal = ros.call(GetCalibrationSrv, "/ctrl_pkg/get_car_cal", GetCalibrationSrv.Request(cal_type=0))
        assert (cal.max, cal.mid, cal.min) == (1720000, 1480000, 1310000)
    finally:   # the core process is shared: put the default steering calibration back
        default = SetCalibrationSrv.Request(cal_type=0, max=1700000, mid=1450000, min=1200000, polarity=1)
        assert ros.call(SetCalibrationSrv, "/ctrl_pkg/set_car_cal", default).error == 0

    assert ros.call(SetLedCtrlSrv, "/ctrl_pkg/set_car_led",
                    SetLedCtrlSrv.Request(red=255 * 39215, green=0, blue=128 * 39215)).error == 0
    assert car.led_duties() == ("9999825", "0", "5019520")
    led = ros.call(GetLedCtrlSrv, "/ctrl_pkg/get_car_led")
    assert (led.red, led.green, led.blue) == (9999825, 0, 5019520)
    assert ros.call(SetLedCtrlSrv, "/ctrl_pkg/set_car_led",
                    SetLedCtrlSrv.Request(red=-5, green=0, blue=0)).error == 1
    assert car.led_duties() == ("9999825", "0", "5019520")
    assert ros.call(EnableStateSrv, "/ctrl_pkg/enable_state", EnableStateSrv.Request(is_active=False)).error == 0


def test_autonomous_throttle_is_forwarded_to_navigation(ros: RosTestNode, car: SimCar,
                                                        fake_inference: FakeInferenceStack) -> None:
    assert vehicle_state(ros, 1) == 0
    assert ros.call(NavThrottleSrv, "/ctrl_pkg/autonomous_throttle", NavThrottleSrv.Request(throttle=0.4)).error == 0
    assert [r.throttle for r in fake_inference.named("navigation_throttle")][-1] == pytest.approx(0.4)
    count = len(fake_inference.named("navigation_throttle"))
    assert ros.call(NavThrottleSrv, "/ctrl_pkg/autonomous_throttle", NavThrottleSrv.Request(throttle=1.5)).error == 1
    assert len(fake_inference.named("navigation_throttle")) == count
    fake_inference.errors["navigation_throttle"] = 1
    assert ros.call(NavThrottleSrv, "/ctrl_pkg/autonomous_throttle", NavThrottleSrv.Request(throttle=0.5)).error == 1
    fake_inference.errors.clear()
