"""Shared fixtures. Every test session runs in its own ROS domain (see tests/support/ros.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.ros import RosTestNode, claim_domain_id, isolate_environment, node_processes
from tests.support.stack import CarSettings, SimStack

_DOMAIN, _DOMAIN_LOCK = claim_domain_id()
isolate_environment(_DOMAIN)


@pytest.fixture(scope="session")
def ros_domain_id() -> int:
    return _DOMAIN


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh car state root (calibration.json, artifacts/, ...) for this test."""
    root = tmp_path / "state"
    root.mkdir()
    monkeypatch.setenv("DEEPRACER_STATE_DIR", str(root))
    return root


@pytest.fixture
def sysfs_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty fake /sys for this test; builders in tests/support/fake_sysfs.py fill it."""
    root = tmp_path / "sys"
    root.mkdir()
    monkeypatch.setenv("DEEPRACER_SYSFS_ROOT", str(root))
    return root


@pytest.fixture
def ros_node() -> Iterator[RosTestNode]:
    node = RosTestNode(f"pytest_{os.getpid()}")
    try:
        yield node
    finally:
        node.close()


@pytest.fixture
def start_node(tmp_path: Path):
    """start_node("servo_pkg.servo_node", ros_args=[...], env={...}) -> NodeProcess; stopped at teardown."""
    with node_processes(tmp_path) as start:
        yield start


@pytest.fixture(scope="session")
def sim_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimStack]:
    """The whole stack on the simulated car (as `make run`), started once per test session.

    Tests that change the car's calibration, LED colour or drive mode take `sim_car_settings`, which
    puts them back; anything else they change they restore themselves.
    """
    stack = SimStack(tmp_path_factory.mktemp("sim_stack")).start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def sim_car_settings(sim_stack: SimStack) -> Iterator[CarSettings]:
    """The shared simulated car's calibration, tail-light colour and drive mode before the test (also
    calibration.json and led_values.json); all put back afterwards, and the car left stopped."""
    before = sim_stack.car_settings()
    yield before
    sim_stack.restore_car_settings(before)
