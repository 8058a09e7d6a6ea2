"""Real DeepRacer model archives for the console tests (the shallow network, small middleware)."""

from __future__ import annotations

import functools
import io
import json
import tarfile
from pathlib import Path
from typing import Any

from inference.tfgraph import ShallowNetworkSpec, model_metadata, random_weights, shallow_graph_bytes


@functools.lru_cache(maxsize=8)
def graph_for(sensors: tuple[str, ...] = ("FRONT_FACING_CAMERA",)) -> bytes:
    spec = ShallowNetworkSpec(sensors=sensors, middleware_units=16, lidar_layers=(16, 16))
    return shallow_graph_bytes(spec, random_weights(spec, 0))


def metadata_for(sensors: tuple[str, ...] = ("FRONT_FACING_CAMERA",), **extra: Any) -> dict[str, Any]:
    spec = ShallowNetworkSpec(sensors=sensors, middleware_units=16, lidar_layers=(16, 16))
    data = model_metadata(spec)
    data.update(extra)
    return data


def archive_bytes(sensors: tuple[str, ...] = ("FRONT_FACING_CAMERA",), metadata: Any = None,
                  graph: bytes | None = None) -> bytes:
    """A .tar.gz as the training console exports it: agent/model.pb + model_metadata.json."""
    meta = metadata if metadata is not None else metadata_for(sensors)
    members = {"agent/model.pb": graph if graph is not None else graph_for(sensors),
               "model_metadata.json": meta if isinstance(meta, bytes) else json.dumps(meta).encode()}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def install_model(artifacts: Path, name: str, sensors: tuple[str, ...] = ("FRONT_FACING_CAMERA",)) -> Path:
    from inference.models import import_model

    archive = artifacts.parent / f"{name}.tar.gz"
    archive.write_bytes(archive_bytes(sensors))
    try:
        return import_model(archive, artifacts, name=name).path
    finally:
        archive.unlink()
