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
