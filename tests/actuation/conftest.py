"""Node graphs for the actuation ROS tests: declared by the test modules, started together."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.actuation.helpers import REGISTRY, GraphPool


@pytest.fixture(scope="package")
def graph_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphPool]:
    """Every graph registered by the collected modules, started at once on first use."""
    pool = GraphPool(tmp_path_factory.mktemp("graphs"), dict(REGISTRY))
    try:
        yield pool
    finally:
        pool.close()
