"""ctrl_node services: modes, calibration/LED gating (errors outside calibration mode), throttle, camera."""

from __future__ import annotations

import json
from collections.abc import Iterator

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
from tests.actuation.helpers import SimCar, wait_for_log
from tests.support.ros import RosTestNode, node_processes, wait_until


@pytest.fixture(scope="module")
def stack(ros: RosTestNode) -> Iterator[FakeInferenceStack]:
    fake = FakeInferenceStack(ros.node)
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def car(tmp_path_factory: pytest.TempPathFactory, stack: FakeInferenceStack) -> Iterator[SimCar]:
    base = tmp_path_factory.mktemp("ctrl_services")
    sim = SimCar(base)
    with node_processes(base) as start:
        proc = start("tests.actuation.core_host", env=sim.env)
        wait_for_log(proc, "ctrl_node started", 30)
        yield sim


def vehicle_state(ros: RosTestNode, state: int) -> int:
    return ros.call(ActiveStateSrv, "/ctrl_pkg/vehicle_state", ActiveStateSrv.Request(state=state)).error


def test_modes(ros: RosTestNode, car: SimCar) -> None:
    response = ros.call(GetCtrlModesSrv, "/ctrl_pkg/get_ctrl_modes")
    assert (list(response.modes), response.error) == ([0, 1, 2], 0)
    assert vehicle_state(ros, 5) == 1


def test_camera_is_activated(stack: FakeInferenceStack, car: SimCar) -> None:
    wait_until(lambda: [r.activate_video for r in stack.named("media_state")] == [1], 10,
               "media_state(activate_video=1) from ctrl_node")


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
    saved = json.loads((car.state / "calibration.json").read_text())["Calibration"]["Servo"]
    assert saved == {"max": 1720000, "mid": 1480000, "min": 1310000, "polarity": 1}
    cal = ros.call(GetCalibrationSrv, "/ctrl_pkg/get_car_cal", GetCalibrationSrv.Request(cal_type=0))
    assert (cal.max, cal.mid, cal.min) == (1720000, 1480000, 1310000)

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
                                                        stack: FakeInferenceStack) -> None:
    assert vehicle_state(ros, 1) == 0
    assert ros.call(NavThrottleSrv, "/ctrl_pkg/autonomous_throttle", NavThrottleSrv.Request(throttle=0.4)).error == 0
    assert [r.throttle for r in stack.named("navigation_throttle")][-1] == pytest.approx(0.4)
    count = len(stack.named("navigation_throttle"))
    assert ros.call(NavThrottleSrv, "/ctrl_pkg/autonomous_throttle", NavThrottleSrv.Request(throttle=1.5)).error == 1
    assert len(stack.named("navigation_throttle")) == count
    stack.errors["navigation_throttle"] = 1
    assert ros.call(NavThrottleSrv, "/ctrl_pkg/autonomous_throttle", NavThrottleSrv.Request(throttle=0.5)).error == 1
    stack.errors.clear()
