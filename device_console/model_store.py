"""The installed models as the console shows them (`/api/models`, `/api/uploaded_model_list`).

A thin adapter over the shared model library `inference.models` (also used by the USB provisioner
and the CLI): `<artifacts>/<folder>/{model.pb, model_metadata.json, checksum.txt, ...}`.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference import models as library
from inference.errors import MetadataError, ModelImportError
from inference.metadata import INVALID_DISPLAY_NAME, ModelMetadata
from inference.samples import sample_names

log = logging.getLogger(__name__)


def human_size(num_bytes: int) -> str:
    """Like `du -sh`: 512, 4.0K, 12M, 1.1G (rounded up)."""
    value = float(num_bytes)
    for unit in ("", "K", "M", "G"):
        if value < 1024:
            if unit == "":
                return f"{int(value)}"
            return f"{math.ceil(value * 10) / 10:.1f}{unit}" if value < 10 else f"{math.ceil(value)}{unit}"
        value /= 1024
    return f"{math.ceil(value * 10) / 10:.1f}T" if value < 10 else f"{math.ceil(value)}T"


@dataclass(frozen=True)
class InstalledModel:
    folder: str
    model_name: str  # the graph file name without extension (normally "model")
    metadata: ModelMetadata | None
    error: str | None


class ModelStore:
    def __init__(self, artifacts_dir: Path) -> None:
        self.artifacts_dir = artifacts_dir
        # a console (or USB import) killed mid-import leaves a hidden staging folder: not forever
        for leftover in library.clean_stale_imports(artifacts_dir):
            log.warning("models: removed the leftover of an interrupted import or deletion: %s", leftover)

    def installed(self) -> list[InstalledModel]:
        """Every model folder with a graph, with its metadata or the reason it cannot load."""
        rows = []
        for info in library.list_models(self.artifacts_dir):
            if info.graph is None:
                continue
            rows.append(InstalledModel(info.name, info.graph.stem, info.metadata, info.error))
        return rows

    def is_installed(self, name: str) -> bool:
        return library.is_model_ready(self.artifacts_dir, name)

    def graph_ready(self, folder_name: str, model_name: str) -> bool:
        """The original verify_model_ready: installed completely, and the graph has that name."""
        if not library.is_model_ready(self.artifacts_dir, folder_name):
            return False
        try:
            info = library.get_model(self.artifacts_dir, folder_name)
        except ModelImportError:
            return False
        return info.graph is not None and info.graph.stem == model_name

    def metadata(self, folder_name: str) -> ModelMetadata:
        info = library.get_model(self.artifacts_dir, folder_name)
        if info.metadata is None:
            raise MetadataError(info.error or f"{folder_name}: model_metadata.json is missing")
        return info.metadata

    def uploaded_list(self) -> list[dict[str, Any]]:
        """`/api/uploaded_model_list` entries for every installed model folder (the original's fields,
        plus `is_sample`: a sample model shipped with the stack, inference/samples.py)."""
        rows = []
        samples = sample_names(self.artifacts_dir)
        for info in library.list_models(self.artifacts_dir):
            meta = info.metadata
            rows.append({
                "name": info.name,
                "size": human_size(info.size_bytes),
                "creation_time": info.created,
                "status": "Ready" if info.ready else "Error",
                "training_algorithm": meta.training_algorithm_display_name if meta else INVALID_DISPLAY_NAME,
                "action_space_type": meta.action_space_type_display_name if meta else INVALID_DISPLAY_NAME,
                "sensors": ", ".join(meta.sensor_display_names) if meta else INVALID_DISPLAY_NAME,
                "is_sample": info.name in samples,
            })
        return rows

    def import_archive(self, archive: Path, name: str) -> str:
        """Install an uploaded archive as `<artifacts>/<name>`; ModelImportError with the reason."""
        return library.import_model(archive, self.artifacts_dir, name=name).name

    def delete(self, name: str) -> None:
        library.delete_model(self.artifacts_dir, name)
