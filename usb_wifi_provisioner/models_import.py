"""The `models/` folder of a USB drive: every model archive in it is imported through the model
library (`inference.models.import_model`), one result line per archive for device-status.txt.

Unlike the original, the models already on the car are kept: an archive replaces only the model
of the same name (the library does that atomically), nothing else is deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MODELS_DIR_NAME = "models"
#: File name endings the model library imports: archives from the training console or DRfC, a
#: gzipped graph, or a bare graph with model_metadata.json beside it.
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".gz", ".pb", ".onnx")
METADATA_NAME = "model_metadata.json"


@dataclass
class ModelOutcome:
    file: str
    ok: bool
    status: str          # "installed" | "unchanged" | "failed" | "ignored"
    model_name: str = ""
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    replaced: bool = False

    def report_lines(self) -> list[str]:
        if self.status == "installed":
            verb = "replaced the installed model" if self.replaced else "installed as"
            lines = [f'Model {self.file}: {verb} "{self.model_name}".']
        elif self.status == "unchanged":
            lines = [f'Model {self.file}: already installed as "{self.model_name}", unchanged.']
        elif self.status == "ignored":
            lines = [f"Model {self.file}: ignored ({self.message})."]
        else:
            lines = [f"Model {self.file}: failed: {self.message}"]
        lines.extend(f"  warning: {w}" for w in self.warnings)
        return lines


def find_models_dir(root: Path) -> Path | None:
    """`models/` at the root of the drive (any letter case: FAT shows `MODELS` for some writers)."""
    try:
        for entry in sorted(root.iterdir()):
            if entry.name.lower() == MODELS_DIR_NAME and entry.is_dir():
                return entry
    except OSError:
        return None
    return None


def is_archive_name(name: str) -> bool:
    lower = name.lower()
    return any(lower.endswith(suffix) for suffix in ARCHIVE_SUFFIXES)


def _default_import() -> Callable[..., Any]:
    from inference.models import import_model

    return import_model


def import_models_folder(folder: Path, artifacts_dir: Path,
                         import_model: Callable[..., Any] | None = None) -> list[ModelOutcome]:
    """Import every model of `folder` (name order): archives, gzipped or bare graphs, model folders.

    Hidden files (the `._x.tar.gz` that macOS writes on FAT drives) are skipped silently; other
    files are reported as ignored. One failure never stops the others.
    """
    from inference.errors import ModelImportError

    importer = import_model or _default_import()
    outcomes: list[ModelOutcome] = []
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name.lower())
    except OSError as exc:
        return [ModelOutcome(folder.name, False, "failed", message=f"cannot read the folder: {exc.strerror or exc}")]
    for entry in entries:
        if entry.name.startswith(".") or entry.name == METADATA_NAME:
            continue  # hidden files; the metadata is the companion of a bare model.pb beside it
        if entry.is_dir():
            pass  # a model folder (model.pb + model_metadata.json), as copied from another car
        elif not entry.is_file() or not is_archive_name(entry.name):
            outcomes.append(ModelOutcome(entry.name, True, "ignored",
                                         message="not a model archive (.tar.gz, .tgz, .tar, .gz, .pb or .onnx)"))
            continue
        log.info("importing model %s", entry)
        try:
            result = importer(entry, artifacts_dir)
        except ModelImportError as exc:
            log.warning("model %s rejected: %s", entry.name, exc)
            outcomes.append(ModelOutcome(entry.name, False, "failed", message=str(exc)))
            continue
        except OSError as exc:
            log.warning("model %s could not be imported: %s", entry.name, exc)
            outcomes.append(ModelOutcome(entry.name, False, "failed", message=f"{exc.strerror or exc}"))
            continue
        name = str(getattr(result, "name", "") or "")
        unchanged = bool(getattr(result, "unchanged", False))
        outcomes.append(ModelOutcome(entry.name, True, "unchanged" if unchanged else "installed", model_name=name,
                                     warnings=list(getattr(result, "warnings", []) or []),
                                     replaced=bool(getattr(result, "replaced", False))))
    return outcomes
