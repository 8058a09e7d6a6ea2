"""Module-scoped ROS helpers for the actuation tests (the node processes are started per module)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.actuation.helpers import SimCar, wait_for_log
from tests.support.ros import NodeProcess, RosTestNode, node_processes


@pytest.fixture(scope="module")
def ros() -> Iterator[RosTestNode]:
    """One spinning test node for the whole module (publishers, subscriptions, service calls)."""
    node = RosTestNode("pytest_actuation")
    try:
        yield node
    finally:
        node.close()


@pytest.fixture(scope="package")
def support_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SimCar, NodeProcess]]:
    """status_led_node + battery_node + device_info_node on a simulated car, shared by their test files."""
    base = tmp_path_factory.mktemp("support_nodes")
    car = SimCar(base)
    with node_processes(base) as start:
        proc = start("tests.actuation.support_host", env=car.env,
                     ros_args=["-p", "status_period:=0.2"])
        wait_for_log(proc, "device_info_node started", 30)
        yield car, proc
