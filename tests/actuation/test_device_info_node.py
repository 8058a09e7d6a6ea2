"""device_info_node: versions and what the compute module is; device_status_node: the device status
with latency/fps from the servo node's /servo_pkg/latency."""

from __future__ import annotations

import threading
from importlib.metadata import version

import pytest
from deepracer_interfaces_pkg.msg import DeviceStatusMsg, LatencyMeasureMsg
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
    # the community's fields, read from this machine (the simulated car runs on it)
    with open("/proc/meminfo") as meminfo:
        total_kib = int(next(line for line in meminfo if line.startswith("MemTotal:")).split()[1])
    assert info.ram_amount == str(total_kib // 1024)
    assert info.disk_amount.endswith("B") and info.disk_amount[:-2].replace(".", "").isdigit()
    assert info.cpu_model not in ("", "--") and "(R)" not in info.cpu_model
    assert info.os_version not in ("", "--") and info.ros_distro not in ("", "--")


def test_device_status_service_and_topic(ros: RosTestNode, support_nodes: tuple[SimCar, NodeProcess]) -> None:
    published = ros.collect(DeviceStatusMsg, "/device_info_pkg/device_status", 1)
    wait_until(lambda: published, 10, "a DeviceStatusMsg")
    status = ros.call(GetDeviceStatusSrv, "/device_info_pkg/get_device_status")
    assert status.error == 0
    assert 0.0 < status.memory_usage <= 100.0
    assert 0.0 <= status.free_disk <= 100.0 and 0.0 <= status.cpu_percent <= 100.0
    assert 0.0 < published[-1].memory_usage <= 100.0


def test_latency_and_rate_of_measured_commands(ros: RosTestNode, support_nodes: tuple[SimCar, NodeProcess]) -> None:
    pub = make_publisher(ros, LatencyMeasureMsg, "/servo_pkg/latency", 10)   # as the servo node
    wait_for_subscriber(pub)
    published = ros.collect(DeviceStatusMsg, "/device_info_pkg/device_status", 1)
    sent = [0]

    def send_frame() -> None:
        sent[0] += 1
        pub.publish(LatencyMeasureMsg(latency_ms=10.0 + sent[0] % 10))     # 10, 11 .. 19 ms

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
        # ten full cycles of 10..19 ms in the window before asking (asked right after the first status,
        # the window may hold a handful of samples whose percentile is anything)
        first = sent[0]
        wait_until(lambda: sent[0] >= first + 100, 30, "ten cycles of latency reports")
        status = ros.call(GetDeviceStatusSrv, "/device_info_pkg/get_device_status")
    finally:
        stop.set()
        sender.join(2)
    # the statistics of what the servo node measured: values 10..19 ms in equal shares
    assert 13.0 <= status.latency_mean <= 16.0
    assert 17.0 <= status.latency_p95 <= 19.0
    assert 0.0 < status.fps_mean < 500.0          # we send about 50/s; arrivals may bunch under load
    ros.node.destroy_publisher(pub)
