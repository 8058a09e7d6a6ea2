"""The installed models as the console shows them (`/api/models`, `/api/uploaded_model_list`).

Installing and deleting go through the model library `inference.models` (shared with the USB
provisioner and the CLI); this module only reads the artifacts folder:
`<artifacts>/<folder>/{model.pb, model_metadata.json, checksum.txt, ...}`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference.errors import MetadataError, ModelImportError
from inference.metadata import INVALID_DISPLAY_NAME, METADATA_FILE, ModelMetadata, load_metadata


def human_size(num_bytes: int) -> str:
    """Like `du -sh`: 4.0K, 12M, 1.1G (rounded up)."""
    value = float(num_bytes)
    for unit in ("", "K", "M", "G", "T"):
        if value < 1024 or unit == "T":
            if unit == "":
                return f"{int(value)}"
            return f"{math.ceil(value * 10) / 10:.1f}{unit}" if value < 10 else f"{math.ceil(value)}{unit}"
        value /= 1024
    return f"{int(value)}T"


def _tree_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


@dataclass(frozen=True)
class InstalledModel:
    folder: str
    model_name: str  # the graph file name without extension (normally "model")
    path: Path
    metadata: ModelMetadata | None
    error: str | None


class ModelStore:
    def __init__(self, artifacts_dir: Path) -> None:
        self.artifacts_dir = artifacts_dir

    def folder(self, name: str) -> Path | None:
        """The folder of an installed model; None for unknown or unsafe names."""
        if not name or "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
            return None
        path = self.artifacts_dir / name
        return path if path.is_dir() else None

    def is_installed(self, name: str) -> bool:
        folder = self.folder(name)
        if folder is None:
            return False
        return any(folder.rglob("*.pb")) or (folder / "model.xml").is_file()

    def _entries(self) -> list[Path]:
        try:
            return sorted((p for p in self.artifacts_dir.iterdir() if p.is_dir() and not p.name.startswith(".")),
                          key=lambda p: p.name)
        except OSError:
            return []

    def installed(self) -> list[InstalledModel]:
        """Every folder holding a graph (`*.pb`), with its metadata or the metadata error."""
        models = []
        for folder in self._entries():
            graphs = sorted(folder.rglob("*.pb"))
            if not graphs:
                continue
            graph = graphs[0]
            metadata: ModelMetadata | None = None
            error: str | None = None
            try:
                metadata = load_metadata(folder / METADATA_FILE)
            except MetadataError as exc:
                error = exc.message
            models.append(InstalledModel(folder.name, graph.stem, graph.parent, metadata, error))
        return models

    def metadata(self, folder_name: str) -> ModelMetadata:
        folder = self.folder(folder_name)
        if folder is None:
            raise MetadataError(f"Model {folder_name!r} is not installed")
        return load_metadata(folder / METADATA_FILE)

    def graph_ready(self, folder_name: str, model_name: str) -> bool:
        folder = self.folder(folder_name)
        if folder is None or not model_name or "/" in model_name or model_name.startswith("."):
            return False
        return (folder / f"{model_name}.pb").is_file() or (folder / f"{model_name}.xml").is_file()

    def uploaded_list(self) -> list[dict[str, Any]]:
        """`/api/uploaded_model_list` entries for every folder in artifacts."""
        rows = []
        for folder in self._entries():
            try:
                meta = load_metadata(folder / METADATA_FILE)
                algorithm = meta.training_algorithm_display_name
                action_space = meta.action_space_type_display_name
                sensors = ", ".join(meta.sensor_display_names)
            except MetadataError:
                algorithm = action_space = sensors = INVALID_DISPLAY_NAME
            try:
                mtime = folder.stat().st_mtime
            except OSError:
                mtime = 0.0
            rows.append({
                "name": folder.name,
                "size": human_size(_tree_size(folder)),
                "creation_time": mtime,
                "status": "Ready",
                "training_algorithm": algorithm,
                "action_space_type": action_space,
                "sensors": sensors,
            })
        return rows

    # -- changes, through the shared model library -------------------------------------------
    def import_archive(self, archive: Path, name: str) -> str:
        """Install an uploaded archive as `<artifacts>/<name>`; ModelImportError with the reason."""
        from inference import models

        result = models.import_model(archive, self.artifacts_dir, name=name)
        return str(getattr(result, "name", name))

    def delete(self, name: str) -> None:
        from inference import models

        if self.folder(name) is None:
            raise ModelImportError(f"Model {name!r} is not installed")
        models.delete_model(self.artifacts_dir, name)
