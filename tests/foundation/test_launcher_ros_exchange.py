"""Two of our processes, started by the launcher, exchange deepracer_interfaces_pkg messages and a
service call; the test observes both through the isolated ROS graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from deepracer_interfaces_pkg.msg import ServoCtrlMsg
from deepracer_interfaces_pkg.srv import GetCalibrationSrv, GetLedCtrlSrv, SetLedCtrlSrv

from launcher.graph import load_graph
from launcher.supervisor import Supervisor
from tests.support.ros import wait_until


@pytest.fixture
def demo_stack(tmp_path: Path):
    graph = load_graph("tests.support.demo_graph:graph")
    sup = Supervisor(graph, logs_dir=tmp_path / "logs", run_dir=tmp_path / "run", on_event=lambda _t: None)
    sup.start()
    try:
        yield sup
    finally:
        sup.stop()


def test_processes_exchange_messages_and_service_calls(demo_stack: Supervisor, ros_node) -> None:
    received = ros_node.collect(ServoCtrlMsg, "/demo/cmd")
    wait_until(lambda: len(received) >= 3, 20, "ServoCtrlMsg from the talker process")
    assert received[-1].angle == pytest.approx(0.25)  # the launcher's parameter reached the node

    # the relay process received the talker's messages: its service answers with the last angle
    response = wait_until(lambda: (r := ros_node.call(GetCalibrationSrv, "/demo/get_last")).error == 0 and r,
                          20, "relay to have received a command")
    assert response.max == 250

    assert ros_node.call(SetLedCtrlSrv, "/demo/set_led", SetLedCtrlSrv.Request(red=1, green=2, blue=9999825)).error == 0
    led = ros_node.call(GetLedCtrlSrv, "/demo/get_led")
    assert (led.red, led.green, led.blue) == (1, 2, 9999825)
    assert ros_node.call(SetLedCtrlSrv, "/demo/set_led", SetLedCtrlSrv.Request(red=-1)).error == 1


def test_each_process_writes_its_own_log(demo_stack: Supervisor, ros_node, tmp_path: Path) -> None:
    received = ros_node.collect(ServoCtrlMsg, "/demo/cmd")
    wait_until(lambda: received, 20, "talker output")
    for name in ("talker", "relay", "optional"):
        log = tmp_path / "logs" / f"{name}.log"
        assert log.is_file()
        assert f"starting {name}" in log.read_text()
