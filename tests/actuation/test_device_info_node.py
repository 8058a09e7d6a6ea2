"""device_info_node: versions, and the device status with latency/fps from servo_msg_stamped."""

from __future__ import annotations

import threading
import time
from importlib.metadata import version

import pytest
from builtin_interfaces.msg import Time
from ctrl_pkg.ctrl_node import command_qos
from deepracer_interfaces_pkg.msg import DeviceStatusMsg, ServoCtrlStampedMsg
from deepracer_interfaces_pkg.srv import GetDeviceInfoSrv, GetDeviceStatusSrv

from tests.actuation.helpers import (
    SUPPORT,
    Graph,
    GraphPool,
    SimCar,
    make_publisher,
    register_graph,
    wait_for_subscriber,
)
from tests.support.ros import NodeProcess, RosTestNode, publish_until, wait_until

GRAPH = register_graph("support", SUPPORT)


@pytest.fixture(scope="module")
def graph(graph_pool: GraphPool) -> Graph:
    return graph_pool.get(GRAPH)


@pytest.fixture(scope="module")
def ros(graph: Graph) -> RosTestNode:
    return graph.ros


@pytest.fixture(scope="module")
def support_nodes(graph: Graph) -> tuple[SimCar, NodeProcess]:
    return graph.car, graph.proc


def test_device_info(ros: RosTestNode, support_nodes: tuple[SimCar, NodeProcess]) -> None:
    info = ros.call(GetDeviceInfoSrv, "/device_info_pkg/get_device_info")
    assert info.hardware_version == "R1.0"            # board id pins 383/387 = 0/0 on the simulated car
    assert info.software_version == version("deepracer-open-stack")
    assert info.error == 0


def test_device_status_service_and_topic(ros: RosTestNode, support_nodes: tuple[SimCar, NodeProcess]) -> None:
    published = ros.collect(DeviceStatusMsg, "/device_info_pkg/device_status", 1)
    wait_until(lambda: published, 10, "a DeviceStatusMsg")
    status = ros.call(GetDeviceStatusSrv, "/device_info_pkg/get_device_status")
    assert status.error == 0
    assert 0.0 < status.memory_usage <= 100.0
    assert 0.0 <= status.free_disk <= 100.0 and 0.0 <= status.cpu_percent <= 100.0
    assert 0.0 < published[-1].memory_usage <= 100.0


def test_latency_and_rate_of_stamped_commands(ros: RosTestNode, support_nodes: tuple[SimCar, NodeProcess]) -> None:
    pub = make_publisher(ros, ServoCtrlStampedMsg, "/ctrl_pkg/servo_msg_stamped", command_qos())
    wait_for_subscriber(pub)
    published = ros.collect(DeviceStatusMsg, "/device_info_pkg/device_status", 1)

    def send_frame() -> None:
        captured = time.time_ns() - 10_000_000_000                 # frame captured 10 s ago
        stamp = Time(sec=captured // 1_000_000_000, nanosec=captured % 1_000_000_000)
        pub.publish(ServoCtrlStampedMsg(source_stamp=stamp, angle=0.0, throttle=0.5))

    publish_until(send_frame, None, lambda: published and published[-1].fps_mean > 0, timeout=15,
                  what="latency statistics in the device status", period=1 / 50)   # 50 commands a second
    # keep the commands flowing while the service is asked (the statistics describe live driving)
    stop = threading.Event()

    def keep_sending() -> None:
        while not stop.is_set():
            send_frame()
            stop.wait(1 / 50)

    sender = threading.Thread(target=keep_sending, daemon=True)
    sender.start()
    try:
        status = ros.call(GetDeviceStatusSrv, "/device_info_pkg/get_device_status")
    finally:
        stop.set()
        sender.join(2)
    # capture -> arrival: the 10 s age of the stamps plus the delivery time (not measured here; the
    # upper bound only rules out a wrong unit or clock, not a slow delivery on a loaded machine)
    assert 10_000.0 <= status.latency_mean < 20_000.0
    assert status.latency_p95 >= status.latency_mean
    assert 0.0 < status.fps_mean < 500.0          # we send about 50/s; arrivals may bunch under load
    ros.node.destroy_publisher(pub)
