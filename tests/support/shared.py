"""The project's shared reference folder (`shared/reference`), which lives beside the checkout.

In CI a copy of shared/ sits beside the fresh clone; on a developer machine it sits beside the main
checkout, also when the tests run in a git worktree of it (found through the worktree's `.git` file).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _main_checkout() -> Path | None:
    """The main checkout of a git worktree (its .git is a file `gitdir: <main>/.git/worktrees/<name>`)."""
    dot_git = REPO / ".git"
    if not dot_git.is_file():
        return None
    text = dot_git.read_text(errors="replace").strip()
    if not text.startswith("gitdir:"):
        return None
    gitdir = Path(text.split(":", 1)[1].strip())
    if not gitdir.is_absolute():
        gitdir = (REPO / gitdir).resolve()
    return gitdir.parent.parent.parent if gitdir.parent.name == "worktrees" else None


def _origin_checkout() -> Path | None:
    """The checkout this one was cloned from, when that is a folder on this machine (`git clone .`)."""
    import subprocess

    try:
        url = subprocess.run(["git", "-C", str(REPO), "config", "--get", "remote.origin.url"],
                             capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if not url or "://" in url or ":" in url.split("/", 1)[0]:
        return None   # a remote URL, not a local folder
    origin = Path(url.removeprefix("file://"))
    return origin if origin.is_dir() else None


def shared_reference() -> Path | None:
    """`shared/reference` beside this checkout (or beside the main checkout, or beside the local
    checkout it was cloned from), or None."""
    for checkout in (REPO, _main_checkout(), _origin_checkout()):
        if checkout is not None and (checkout.parent / "shared" / "reference").is_dir():
            return checkout.parent / "shared" / "reference"
    return None


def require_shared(relative: str) -> Path:
    """A file under shared/reference; the test is skipped where shared/ is not beside the checkout,
    except in CI (CI=true), which always has it: there its absence fails the test."""
    root = shared_reference()
    path = root / relative if root is not None else None
    if path is not None and path.exists():
        return path
    message = f"shared/reference/{relative} is not beside this checkout"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
