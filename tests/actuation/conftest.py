"""Module-scoped ROS helpers for the actuation tests (the node processes are started per module)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.ros import RosTestNode


@pytest.fixture(scope="module")
def ros() -> Iterator[RosTestNode]:
    """One spinning test node for the whole module (publishers, subscriptions, service calls)."""
    node = RosTestNode("pytest_actuation")
    try:
        yield node
    finally:
        node.close()
