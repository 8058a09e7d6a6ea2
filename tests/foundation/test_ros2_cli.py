"""The `ros2` subset answers the commands fleet tools run on the car, with the real syntax."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from deepracer_interfaces_pkg.msg import ServoCtrlMsg
from deepracer_interfaces_pkg.srv import GetLedCtrlSrv

from launcher.graph import load_graph
from launcher.supervisor import Supervisor
from tests.support.ros import RosTestNode, wait_until


@pytest.fixture(scope="module")
def demo_stack(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("ros2cli")
    sup = Supervisor(load_graph("tests.support.demo_graph:graph"), logs_dir=tmp / "logs", run_dir=tmp / "run",
                     on_event=lambda _t: None)
    sup.start()
    probe = RosTestNode("ros2cli_probe")
    try:
        wait_until(lambda: probe.call(GetLedCtrlSrv, "/demo/get_led", timeout=20), 30, "demo graph up")
        yield probe
    finally:
        probe.close()
        sup.stop()


def ros2(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("ros2")
    assert exe, "ros2 is not on PATH (env.sh)"
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout, env=dict(os.environ))


def test_ros2_is_our_subset_where_no_system_ros() -> None:
    if os.environ.get("ROS_DISTRO") and Path(f"/opt/ros/{os.environ['ROS_DISTRO']}").is_dir():
        pytest.skip("a system ROS 2 provides the real ros2 command here")
    assert Path(shutil.which("ros2") or "").resolve().name == "deepracer-ros2"


def test_service_call_with_yaml_request(demo_stack: RosTestNode) -> None:
    result = ros2("service", "call", "/demo/set_led", "deepracer_interfaces_pkg/srv/SetLedCtrlSrv",
                  "{red: 0, green: 0, blue: 9999825}")
    assert result.returncode == 0, result.stderr
    assert "requester: making request: deepracer_interfaces_pkg.srv.SetLedCtrlSrv_Request(red=0, green=0, blue=9999825)" in result.stdout
    assert "response:\ndeepracer_interfaces_pkg.srv.SetLedCtrlSrv_Response(error=0)" in result.stdout
    led = demo_stack.call(GetLedCtrlSrv, "/demo/get_led")
    assert (led.red, led.green, led.blue) == (0, 0, 9999825)


def test_service_call_rejects_unknown_field(demo_stack: RosTestNode) -> None:
    result = ros2("service", "call", "/demo/set_led", "deepracer_interfaces_pkg/srv/SetLedCtrlSrv", "{purple: 1}")
    assert result.returncode != 0
    assert "purple" in (result.stderr + result.stdout)


def test_param_get(demo_stack: RosTestNode) -> None:
    result = ros2("param", "get", "/demo/talker", "output_path")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "String value is: /tmp/demo-bags"
    result = ros2("param", "get", "/demo/talker", "angle")
    assert result.stdout.strip() == "Double value is: 0.25"
    result = ros2("param", "get", "/demo/talker", "no_such_param")
    assert result.stdout.strip() == "Parameter not set."


def test_node_and_topic_list(demo_stack: RosTestNode) -> None:
    nodes = ros2("node", "list").stdout.split()
    assert {"/demo/talker", "/demo/relay", "/demo/idle"} <= set(nodes)
    topics = ros2("topic", "list", "-t").stdout.splitlines()
    assert "/demo/cmd [deepracer_interfaces_pkg/msg/ServoCtrlMsg]" in topics


def test_topic_echo_once(demo_stack: RosTestNode) -> None:
    result = ros2("topic", "echo", "/demo/cmd", "--once")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("angle: 0.25\nthrottle: ")
    assert result.stdout.rstrip().endswith("---")


def test_topic_pub_reaches_a_subscriber(demo_stack: RosTestNode) -> None:
    received = demo_stack.collect(ServoCtrlMsg, "/demo/pub_test")
    result = ros2("topic", "pub", "--once", "/demo/pub_test", "deepracer_interfaces_pkg/msg/ServoCtrlMsg",
                  "{angle: -0.5, throttle: 0.3}")
    assert result.returncode == 0, result.stderr
    assert ("publishing #1: deepracer_interfaces_pkg.msg.ServoCtrlMsg(angle=-0.5, throttle=0.3, "
            "source_stamp=builtin_interfaces.msg.Time(sec=0, nanosec=0))") in result.stdout   # community dialect
    wait_until(lambda: received, 10, "the published message")
    assert received[0].angle == pytest.approx(-0.5)
    assert received[0].throttle == pytest.approx(0.3)
