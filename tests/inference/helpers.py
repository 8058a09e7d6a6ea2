"""Builders shared by the inference tests: small real models, archives, tree snapshots."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inference.tfgraph import ShallowNetworkSpec, model_metadata, random_weights, shallow_graph_bytes
from tests.inference.reference import shallow_forward


def small_spec(**kwargs: Any) -> ShallowNetworkSpec:
    """The real shallow architecture and tensor names, with a small middleware so tests stay fast."""
    kwargs.setdefault("middleware_units", 32)
    kwargs.setdefault("lidar_layers", (32, 32))
    return ShallowNetworkSpec(**kwargs)


@dataclass
class BuiltModel:
    spec: ShallowNetworkSpec
    weights: dict[str, np.ndarray]
    graph: bytes
    metadata: dict[str, Any]

    @property
    def metadata_bytes(self) -> bytes:
        return json.dumps(self.metadata, indent=2).encode()

    @property
    def md5(self) -> str:
        return hashlib.md5(self.graph).hexdigest()

    def reference(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        s = self.spec
        return shallow_forward(self.weights, inputs, conv_layers=s.conv_layers, lidar_layers=s.lidar_layers,
                               head=s.head_scope, algorithm=s.training_algorithm,
                               action_space_type=s.action_space_type)


def build_model(seed: int = 0, action_space: Any = None, **kwargs: Any) -> BuiltModel:
    spec = small_spec(**kwargs)
    weights = random_weights(spec, seed)
    return BuiltModel(spec, weights, shallow_graph_bytes(spec, weights), model_metadata(spec, action_space))


def tar_member(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, **attrs: Any) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = len(data) if kind in (tarfile.REGTYPE, tarfile.AREGTYPE) else 0
    info.mode = 0o644
    for key, value in attrs.items():
        setattr(info, key, value)
    return info, data


def write_tar(path: Path, members: Iterable[tuple[tarfile.TarInfo, bytes] | tuple[str, bytes]],
              gz: bool = True) -> Path:
    options = {"compresslevel": 1} if gz else {}
    with tarfile.open(path, "w:gz" if gz else "w", format=tarfile.GNU_FORMAT, **options) as tar:  # type: ignore[call-overload]
        for item in members:
            info, data = item if isinstance(item[0], tarfile.TarInfo) else tar_member(item[0], item[1])  # type: ignore[arg-type]
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return path


def model_archive(path: Path, model: BuiltModel, graph_member: str = "agent/model.pb", gz: bool = True,
                  extra: Iterable[tuple[str, bytes]] = ()) -> Path:
    return write_tar(path, [(graph_member, model.graph), ("model_metadata.json", model.metadata_bytes), *extra], gz)


def tree(root: Path) -> dict[str, str]:
    """Every entry under root -> md5 (files), 'dir' or 'link:<target>'; to prove nothing changed."""
    result: dict[str, str] = {}
    if not root.exists():
        return result
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            if p.is_symlink():
                result[rel] = f"link:{os.readlink(p)}"
            elif p.is_dir():
                result[rel] = "dir"
            else:
                result[rel] = hashlib.md5(p.read_bytes()).hexdigest()
    return result


def grey_image(value_fn: Any, height: int = 120, width: int = 160) -> np.ndarray:
    """A BGR uint8 image whose three channels are equal, so the grey conversion is exact."""
    grey = np.asarray(value_fn(height, width), dtype=np.uint8)
    return np.repeat(grey[:, :, None], 3, axis=2)
