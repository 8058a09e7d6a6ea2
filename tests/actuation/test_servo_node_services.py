"""servo_node services: calibration and tail light get/set (files + duties), servo power GPIO."""

from __future__ import annotations

import json

import pytest
from deepracer_interfaces_pkg.msg import ServoCtrlMsg
from deepracer_interfaces_pkg.srv import (
    GetCalibrationSrv,
    GetLedCtrlSrv,
    ServoGPIOSrv,
    SetCalibrationSrv,
    SetLedCtrlSrv,
)

from tests.actuation.helpers import (
    Graph,
    GraphPool,
    GraphSpec,
    SimCar,
    make_publisher,
    register_graph,
    wait_for_subscriber,
)
from tests.support.ros import RosTestNode, publish_until, wait_until


def custom_tail_light(car: SimCar) -> None:
    (car.state / "led_values.json").write_text(json.dumps(
        {"Led Values": {"red_pwm": 9999825, "green_pwm": 0, "blue_pwm": 39215}}))


GRAPH = register_graph("servo_services", GraphSpec("servo_pkg.servo_node", ["-p", "watchdog_timeout:=3.0"],
                                                   "servo_node started", prepare=custom_tail_light))


@pytest.fixture(scope="module")
def graph(graph_pool: GraphPool) -> Graph:
    return graph_pool.get(GRAPH)


@pytest.fixture(scope="module")
def ros(graph: Graph) -> RosTestNode:
    return graph.ros


@pytest.fixture(scope="module")
def car(graph: Graph) -> SimCar:
    return graph.car


def test_get_calibration_returns_the_file_values(ros: RosTestNode, car: SimCar) -> None:
    servo = ros.call(GetCalibrationSrv, "/servo_pkg/get_calibration", GetCalibrationSrv.Request(cal_type=0))
    assert (servo.max, servo.mid, servo.min, servo.polarity, servo.error) == (1700000, 1450000, 1200000, 1, 0)
    motor = ros.call(GetCalibrationSrv, "/servo_pkg/get_calibration", GetCalibrationSrv.Request(cal_type=1))
    assert (motor.max, motor.mid, motor.min, motor.polarity, motor.error) == (1603500, 1446000, 1311000, -1, 0)
    assert ros.call(GetCalibrationSrv, "/servo_pkg/get_calibration", GetCalibrationSrv.Request(cal_type=2)).error == 1


def test_set_calibration_saves_and_drives_with_it(ros: RosTestNode, car: SimCar) -> None:
    request = SetCalibrationSrv.Request(cal_type=1, max=1662000, mid=1486500, min=1311000, polarity=-1)
    assert ros.call(SetCalibrationSrv, "/servo_pkg/set_calibration", request).error == 0
    saved = json.loads((car.state / "calibration.json").read_text())["Calibration"]
    assert saved["Motor"] == {"max": 1662000, "mid": 1486500, "min": 1311000, "polarity": -1}
    assert saved["version"] == 1
    wait_until(lambda: car.duty(0) == "1486500", 5, "idle throttle to follow the new stopped value")
    pub = make_publisher(ros, ServoCtrlMsg, "/ctrl_pkg/servo_msg")
    wait_for_subscriber(pub)
    publish_until(pub, ServoCtrlMsg(angle=0.0, throttle=1.0), lambda: car.duty(0) == "1311000",
                  what="full forward with the new calibration")


@pytest.mark.parametrize("fields", [
    {"cal_type": 0, "max": 1200000, "mid": 1450000, "min": 1700000, "polarity": 1},   # inverted
    {"cal_type": 0, "max": 1700000, "mid": 1700000, "min": 1200000, "polarity": 1},   # max == mid
    {"cal_type": 0, "max": 1700000, "mid": 1450000, "min": 1200000, "polarity": 0},   # no direction
    {"cal_type": 0, "max": 9000000, "mid": 1450000, "min": 1200000, "polarity": 1},   # not a servo pulse
    {"cal_type": 7, "max": 1700000, "mid": 1450000, "min": 1200000, "polarity": 1},   # unknown type
])
def test_invalid_calibration_is_refused_and_nothing_changes(ros: RosTestNode, car: SimCar, fields: dict) -> None:
    path = car.state / "calibration.json"
    before = path.read_bytes()
    assert ros.call(SetCalibrationSrv, "/servo_pkg/set_calibration", SetCalibrationSrv.Request(**fields)).error == 1
    assert path.read_bytes() == before
    servo = ros.call(GetCalibrationSrv, "/servo_pkg/get_calibration", GetCalibrationSrv.Request(cal_type=0))
    assert (servo.max, servo.mid, servo.min, servo.polarity) == (1700000, 1450000, 1200000, 1)


def test_tail_light_from_file_and_set(ros: RosTestNode, car: SimCar) -> None:
    led = ros.call(GetLedCtrlSrv, "/servo_pkg/get_led_state")
    assert (led.red, led.green, led.blue) == (9999825, 0, 39215)
    assert car.led_duties() == ("9999825", "0", "39215")
    assert ros.call(SetLedCtrlSrv, "/servo_pkg/set_led_state",
                    SetLedCtrlSrv.Request(red=0, green=10000000, blue=0)).error == 0
    assert car.led_duties() == ("0", "10000000", "0")
    saved = json.loads((car.state / "led_values.json").read_text())
    assert saved == {"Led Values": {"red_pwm": 0, "green_pwm": 10000000, "blue_pwm": 0}}
    assert ros.call(SetLedCtrlSrv, "/servo_pkg/set_led_state",
                    SetLedCtrlSrv.Request(red=0, green=10000001, blue=0)).error == 1
    assert car.led_duties() == ("0", "10000000", "0")


def test_servo_gpio_enable_disable(ros: RosTestNode, car: SimCar) -> None:
    assert ros.call(ServoGPIOSrv, "/servo_pkg/servo_gpio", ServoGPIOSrv.Request(enable=0)).error == 0
    assert car.gpio(436) == "0"          # 0 = servo/ESC power enabled (original semantics)
    assert ros.call(ServoGPIOSrv, "/servo_pkg/servo_gpio", ServoGPIOSrv.Request(enable=2)).error == 1
    assert car.gpio(436) == "0"
    assert ros.call(ServoGPIOSrv, "/servo_pkg/servo_gpio", ServoGPIOSrv.Request(enable=1)).error == 0
    assert car.gpio(436) == "1"
