"""Bag folder names as the community recorder and DREM's log processor expect them.

`<model folder>-YYYYMMDD-HHMMSS` (local time): the model folder is the parent folder of the path
published on `/inference_pkg/model_artifact` (DREM names it `<racer>-<model>`), so DREM's
`find -name "<racer>*"` and its `^(.*)-(\\d{8}-\\d{6})$` split find the racer and the model again.
"""

from __future__ import annotations

import re
import time
from pathlib import PurePosixPath

DEFAULT_BAG_NAME = "deepracer"
BAG_NAME_RE = re.compile(r"^(.*)-(\d{8}-\d{6})$")
_UNSAFE = re.compile(r"[^0-9A-Za-z._-]+")


def model_folder(artifact_path: str) -> str:
    """`/opt/aws/deepracer/artifacts/racer-model/model.xml` -> `racer-model` ("" when none)."""
    text = artifact_path.strip()
    if not text:
        return ""
    parent = PurePosixPath(text).parent.name
    return _UNSAFE.sub("", parent)


def bag_folder_name(artifact_path: str, when: float | None = None) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if when is None else when))
    return f"{model_folder(artifact_path) or DEFAULT_BAG_NAME}-{stamp}"


def split_bag_name(name: str) -> tuple[str, str] | None:
    """(model folder, YYYYMMDD-HHMMSS), or None for a name the fleet manager would skip."""
    match = BAG_NAME_RE.match(name)
    return (match.group(1), match.group(2)) if match else None
