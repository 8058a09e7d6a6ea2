"""battery_node: /i2c_pkg/battery_level through the simulated fuel gauge, and a board without one."""

from __future__ import annotations

from pathlib import Path

import pytest
from deepracer_interfaces_pkg.srv import BatteryLevelSrv
from i2c_pkg.battery_node import BatteryNode
from rclpy.parameter import Parameter

from tests.actuation.helpers import SUPPORT, Graph, GraphPool, SimCar, register_graph
from tests.support.ros import NodeProcess, RosTestNode

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


def level(ros: RosTestNode) -> int:
    return ros.call(BatteryLevelSrv, "/i2c_pkg/battery_level").level


def test_level_follows_the_simulated_gauge(ros: RosTestNode, support_nodes: tuple[SimCar, NodeProcess]) -> None:
    car, _ = support_nodes
    sim = car.state / "sim"
    sim.mkdir(exist_ok=True)
    (sim / "fuel_gauge").unlink(missing_ok=True)
    assert level(ros) == 11                     # no file: full
    (sim / "fuel_gauge").write_text("205")      # 0xCD
    assert level(ros) == 6
    (sim / "fuel_gauge").write_text("100")
    assert level(ros) == -1                     # below 0x8C


def test_board_without_a_gauge_answers_minus_one_and_says_why_once(
        ros: RosTestNode, sysfs_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    """A real-hardware battery node on a board with no /dev/i2c-7 (hosted in the test's own executor,
    its service remapped so it cannot be confused with the simulated car's)."""
    monkeypatch.setenv("DEEPRACER_DEV_ROOT", str(tmp_path / "dev"))
    node = BatteryNode(context=ros.context, parameter_overrides=[Parameter("backend", value="real")],
                       cli_args=["--ros-args", "-r", "/i2c_pkg/battery_level:=/no_gauge/battery_level"])
    ros.executor.add_node(node)
    try:
        assert ros.call(BatteryLevelSrv, "/no_gauge/battery_level").level == -1
        assert ros.call(BatteryLevelSrv, "/no_gauge/battery_level").level == -1
    finally:
        ros.executor.remove_node(node)
        node.destroy_node()
    log = capfd.readouterr().err
    assert log.count("battery level not available on this board") == 1
    assert "/dev/i2c-7" in log and "ERROR" not in log
