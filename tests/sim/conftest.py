"""Fixtures for the simulator tests: a simulator process on its own state/sysfs tree."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.status import read_status
from sim.sysfs_tree import build_sim_sysfs
from tests.support.ros import NodeProcess, node_processes, wait_until


@dataclass
class SimWorld:
    state_dir: Path
    sim_dir: Path
    sysfs: Path
    proc: NodeProcess

    @property
    def env(self) -> dict[str, str]:
        return {"DEEPRACER_STATE_DIR": str(self.state_dir), "DEEPRACER_SYSFS_ROOT": str(self.sysfs),
                "DEEPRACER_HARDWARE": "sim"}


def start_world(start: Callable[..., NodeProcess], root: Path, args: list[str] | None = None) -> SimWorld:
    state = root / "state"
    sim_dir = state / "sim"
    sysfs = build_sim_sysfs(sim_dir / "sys")
    env = {"DEEPRACER_STATE_DIR": str(state), "DEEPRACER_SYSFS_ROOT": str(sysfs), "DEEPRACER_HARDWARE": "sim"}
    proc = start("sim.world", env=env, args=args or ["--track", "loop"])

    def up() -> bool:
        if proc.proc.poll() is not None:
            raise AssertionError(f"simulator exited: {proc.log_text()}")
        return read_status(sim_dir) is not None

    wait_until(up, 30, "the simulator's first status.json")
    return SimWorld(state, sim_dir, sysfs, proc)


@pytest.fixture(scope="module")
def sim_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimWorld]:
    """One simulator process (loop track, 15 fps, LiDAR) for the whole test module."""
    root = tmp_path_factory.mktemp("sim-world")
    with node_processes(root) as start:
        yield start_world(start, root)
