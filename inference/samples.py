"""Sample models shipped with the stack, installed on a new car so it can drive before any training.

Every `sample_models/<stem>.tar.gz` of the repository is installed as `<artifacts>/Sample_<stem>`
(the original car ships `Sample_single_cam`, ...) through the model library, like any upload.
`<artifacts>/.sample_models.json` remembers which samples were installed (with their graph's md5):

- `seed_samples` (first start: `deepracer run`, `deepracer install`) installs the samples not yet
  recorded. A sample the owner deleted stays deleted across restarts: it is recorded, not missing.
- `restore_samples` (`deepracer models restore-samples`) installs them all again.
- `sample_names` is the set of installed folders that are samples: recorded and still holding the
  recorded graph (a model uploaded under a sample's name is the owner's, not a sample).

The USB import and the console upload never delete other models, so the samples survive them.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inference.errors import ModelImportError
from inference.models import CHECKSUM_FILE, import_model, model_name_for

SAMPLE_PREFIX = "Sample_"
RECORD_FILE = ".sample_models.json"
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "sample_models"


@dataclass(frozen=True)
class SampleArchive:
    name: str          # the model name on the car: Sample_<archive stem>
    archive: Path


@dataclass
class SeedReport:
    installed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)   # recorded before (kept, or deleted by the owner)
    failed: list[tuple[str, str]] = field(default_factory=list)


def shipped_samples(samples_dir: Path = SAMPLES_DIR) -> list[SampleArchive]:
    try:
        archives = sorted(p for p in Path(samples_dir).iterdir()
                          if p.is_file() and p.name.endswith((".tar.gz", ".tgz")) and not p.name.startswith("."))
    except OSError:
        return []
    return [SampleArchive(SAMPLE_PREFIX + model_name_for(a), a) for a in archives]


def _record_path(artifacts_dir: Path) -> Path:
    return Path(artifacts_dir) / RECORD_FILE


def read_record(artifacts_dir: Path) -> dict[str, dict[str, Any]]:
    """{sample name: {"checksum": md5 of its graph, "archive": file name}} (empty if none/unreadable)."""
    try:
        data = json.loads(_record_path(artifacts_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    samples = data.get("samples") if isinstance(data, dict) else None
    if not isinstance(samples, dict):
        return {}
    return {str(k): v for k, v in samples.items() if isinstance(v, dict)}


def _write_record(artifacts_dir: Path, samples: dict[str, dict[str, Any]]) -> None:
    from runtime.atomic import atomic_write_json

    atomic_write_json(_record_path(artifacts_dir), {"samples": samples}, indent=2)


def _install(sample: SampleArchive, artifacts_dir: Path) -> dict[str, Any]:
    result = import_model(sample.archive, artifacts_dir, sample.name)
    return {"checksum": result.checksum, "archive": sample.archive.name}


def seed_samples(artifacts_dir: Path, samples_dir: Path = SAMPLES_DIR) -> SeedReport:
    """Install the shipped samples this car has never had. Never replaces or re-adds anything."""
    artifacts = Path(artifacts_dir)
    report = SeedReport()
    samples = shipped_samples(samples_dir)
    if not samples:
        return report
    artifacts.mkdir(parents=True, exist_ok=True)
    record = read_record(artifacts)
    changed = False
    for sample in samples:
        if sample.name in record:
            report.skipped.append(sample.name)
            continue
        if (artifacts / sample.name).exists():  # a model of that name is already there: leave it alone
            record[sample.name] = {"checksum": "", "archive": sample.archive.name}  # not known to be ours
            report.skipped.append(sample.name)
            changed = True
            continue
        try:
            record[sample.name] = _install(sample, artifacts)
        except ModelImportError as exc:
            report.failed.append((sample.name, str(exc)))
            continue
        report.installed.append(sample.name)
        changed = True
    if changed:
        _write_record(artifacts, record)
    return report


def restore_samples(artifacts_dir: Path, samples_dir: Path = SAMPLES_DIR) -> SeedReport:
    """Install every shipped sample again (a model under a sample's name is replaced by the sample)."""
    artifacts = Path(artifacts_dir)
    artifacts.mkdir(parents=True, exist_ok=True)
    report = SeedReport()
    record = read_record(artifacts)
    for sample in shipped_samples(samples_dir):
        try:
            record[sample.name] = _install(sample, artifacts)
        except ModelImportError as exc:
            report.failed.append((sample.name, str(exc)))
            continue
        report.installed.append(sample.name)
    if report.installed:
        _write_record(artifacts, record)
    return report


def _checksum(folder: Path) -> str:
    with contextlib.suppress(OSError):
        return (folder / CHECKSUM_FILE).read_text().strip()
    return ""


def sample_names(artifacts_dir: Path) -> set[str]:
    """Installed model folders that are samples (recorded, and still the recorded graph)."""
    artifacts = Path(artifacts_dir)
    names = set()
    for name, entry in read_record(artifacts).items():
        checksum = entry.get("checksum")
        if isinstance(checksum, str) and checksum and _checksum(artifacts / name) == checksum:
            names.add(name)
    return names
