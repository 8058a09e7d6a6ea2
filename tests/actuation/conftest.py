"""Node graphs for the actuation ROS tests: declared by the test modules, started together."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.actuation.fake_services import FakeInferenceStack
from tests.actuation.helpers import REGISTRY, Graph, GraphPool, SimCar
from tests.support.ros import RosTestNode


@pytest.fixture(scope="package")
def graph_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphPool]:
    """Every graph registered by the collected modules, started at once on first use."""
    pool = GraphPool(tmp_path_factory.mktemp("graphs"), dict(REGISTRY))
    try:
        yield pool
    finally:
        pool.close()


# The core graph (ctrl + servo + fake inference services), for modules that register it with
# `register_graph("core", CORE)`; a module can still define its own `ros`/`car` for another graph.
@pytest.fixture(scope="module")
def core_graph(graph_pool: GraphPool) -> Graph:
    return graph_pool.get("core")


@pytest.fixture(scope="module")
def ros(core_graph: Graph) -> RosTestNode:
    return core_graph.ros


@pytest.fixture(scope="module")
def car(core_graph: Graph) -> SimCar:
    return core_graph.car


@pytest.fixture(scope="module")
def fake_inference(core_graph: Graph) -> FakeInferenceStack:
    return core_graph.extras["fake_inference"]
