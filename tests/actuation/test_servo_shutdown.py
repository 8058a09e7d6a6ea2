"""Neutral on the way out: SIGTERM and an exception in any hosted node leave throttle neutral,
steering centred, the tail light off and the servo power disabled."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from deepracer_interfaces_pkg.msg import ServoCtrlMsg
from deepracer_interfaces_pkg.srv import ServoGPIOSrv
from std_srvs.srv import Trigger

from tests.actuation.helpers import (
    NEUTRAL,
    SimCar,
    make_publisher,
    publish_until,
    wait_for_log,
    wait_for_subscriber,
)
from tests.support.ros import RosTestNode, node_processes, wait_until


def drive_hard(ros: RosTestNode, car: SimCar) -> None:
    assert ros.call(ServoGPIOSrv, "/servo_pkg/servo_gpio", ServoGPIOSrv.Request(enable=0)).error == 0
    pub = make_publisher(ros, ServoCtrlMsg, "/ctrl_pkg/servo_msg")
    wait_for_subscriber(pub)
    publish_until(pub, ServoCtrlMsg(angle=1.0, throttle=1.0), lambda: car.drive_duties() == ("1311000", "1700000"))
    ros.node.destroy_publisher(pub)
    assert car.gpio(436) == "0"


def assert_safe(car: SimCar) -> None:
    assert car.drive_duties() == NEUTRAL
    assert car.led_duties() == ("0", "0", "0")
    assert car.gpio(436) == "1"


def test_sigterm_leaves_the_car_neutral(ros: RosTestNode, tmp_path: Path) -> None:
    car = SimCar(tmp_path)
    with node_processes(tmp_path) as start:
        # a long watchdog, so only the shutdown path can bring the outputs back
        proc = start("servo_pkg.servo_node", env=car.env, ros_args=["-p", "watchdog_timeout:=60.0"])
        wait_for_log(proc, "servo_node started", 30)
        drive_hard(ros, car)
        proc.proc.send_signal(signal.SIGTERM)
        assert proc.proc.wait(20) == 0
        assert_safe(car)
        assert "servo_node stopped: throttle neutral" in proc.log_text()


def test_exception_in_a_callback_leaves_the_car_neutral(ros: RosTestNode, tmp_path: Path) -> None:
    car = SimCar(tmp_path)
    with node_processes(tmp_path) as start:
        proc = start("tests.actuation.crash_host", env=car.env, ros_args=["-p", "watchdog_timeout:=60.0"])
        wait_for_log(proc, "servo_node started", 30)
        drive_hard(ros, car)
        client = ros.node.create_client(Trigger, "/crash_test/crash")
        assert client.wait_for_service(timeout_sec=15)
        client.call_async(Trigger.Request())       # never answered: the callback raises
        wait_until(lambda: proc.proc.poll() is not None, 20, "the host to stop after the exception")
        assert proc.proc.returncode == 1
        assert_safe(car)
        assert "injected failure in a callback" in proc.log_text()
        ros.node.destroy_client(client)


@pytest.mark.parametrize("signum", [signal.SIGINT])
def test_sigint_like_systemd_killsignal_2(ros: RosTestNode, tmp_path: Path, signum: int) -> None:
    car = SimCar(tmp_path)
    with node_processes(tmp_path) as start:
        proc = start("servo_pkg.servo_node", env=car.env, ros_args=["-p", "watchdog_timeout:=60.0"])
        wait_for_log(proc, "servo_node started", 30)
        drive_hard(ros, car)
        proc.proc.send_signal(signum)
        assert proc.proc.wait(20) == 0
        assert_safe(car)
