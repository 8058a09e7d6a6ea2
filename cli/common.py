"""Helpers shared by the CLI commands: where the repository and the simulated car's state live."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    env = os.environ.get("DEEPRACER_REPO")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1]


def default_sim_state_dir() -> Path:
    """`make run` keeps the simulated car's state inside the repository (git-ignored)."""
    return repo_root() / "var"


def default_state_dir() -> Path:
    """The car's state root for commands run by hand: DEEPRACER_STATE_DIR, else /opt/aws/deepracer
    on a car, else the simulated car's `var/` in the repository (as `deepracer models`)."""
    env = os.environ.get("DEEPRACER_STATE_DIR")
    if env:
        return Path(env)
    car = Path("/opt/aws/deepracer")
    return car if car.is_dir() else default_sim_state_dir()
