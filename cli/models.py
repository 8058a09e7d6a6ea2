"""`deepracer models import ARCHIVE [--name N] | list [--json] | delete NAME | restore-samples`.

The same library (inference/models.py) as the device console's upload and the USB-stick import, for
users on SSH and for scripts. Models live in `<state>/artifacts` (DEEPRACER_STATE_DIR, else
/opt/aws/deepracer on a car, else the simulated car's `var/` in the repository); `--artifacts-dir`
overrides it. Exit status 0 on success, 1 with a one-line reason on stderr otherwise.

The sample models shipped with the stack (`Sample_...`, inference/samples.py) are marked in `list`;
a deleted sample stays deleted until `restore-samples` installs the shipped samples again.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from cli.common import default_sim_state_dir

CAR_STATE_DIR = Path("/opt/aws/deepracer")


def default_artifacts_dir() -> Path:
    if os.environ.get("DEEPRACER_STATE_DIR"):
        from runtime.paths import artifacts_dir

        return artifacts_dir()
    if CAR_STATE_DIR.is_dir():
        return CAR_STATE_DIR / "artifacts"
    return default_sim_state_dir() / "artifacts"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("models", help="import, list and delete the car's models",
                            description="Manage the models installed on the car.")
    parser.add_argument("--artifacts-dir", type=Path, default=None,
                        help="model folder (default: <state dir>/artifacts)")
    actions = parser.add_subparsers(dest="models_command", metavar="ACTION")
    actions.required = True

    p_import = actions.add_parser("import", help="install a model archive (.tar.gz/.tar), or a .pb/.onnx graph "
                                                 "with its model_metadata.json, or a folder")
    p_import.add_argument("archive", type=Path, help="model.tar.gz as downloaded from the training console")
    p_import.add_argument("--name", help="model name (default: the file name up to the first '.')")
    p_import.add_argument("--metadata", type=Path, help="model_metadata.json for a bare .pb/.onnx graph")
    p_import.add_argument("--artifacts-dir", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p_import.set_defaults(func=cmd_import)

    p_list = actions.add_parser("list", help="installed models with sensors, algorithm and action space")
    p_list.add_argument("--json", action="store_true", help="machine-readable output")
    p_list.add_argument("--artifacts-dir", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p_list.set_defaults(func=cmd_list)

    p_delete = actions.add_parser("delete", help="remove an installed model")
    p_delete.add_argument("name", help="model name as shown by `deepracer models list`")
    p_delete.add_argument("--artifacts-dir", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p_delete.set_defaults(func=cmd_delete)

    p_restore = actions.add_parser("restore-samples", help="install the sample models shipped with the stack "
                                                           "again (Sample_...)")
    p_restore.add_argument("--artifacts-dir", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p_restore.set_defaults(func=cmd_restore_samples)


def _artifacts(args: argparse.Namespace) -> Path:
    return args.artifacts_dir if getattr(args, "artifacts_dir", None) else default_artifacts_dir()


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def cmd_import(args: argparse.Namespace) -> int:
    from inference.errors import ModelImportError
    from inference.models import import_model

    try:
        result = import_model(args.archive, _artifacts(args), args.name, metadata_path=args.metadata)
    except ModelImportError as exc:
        return _fail(str(exc))
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    meta = result.metadata
    if result.unchanged:
        verb = "Already installed"
    elif result.replaced:
        verb = "Replaced"
    else:
        verb = "Installed"
    print(f"{verb} model {result.name!r} in {result.path}")
    print(f"  sensors: {', '.join(meta.sensors)}; {meta.training_algorithm_display_name}, "
          f"{meta.action_space_type_display_name} action space; md5 {result.checksum}")
    return 0


def _row(info: Any, samples: set[str]) -> dict[str, Any]:
    meta = info.metadata
    return {
        "name": info.name,
        "sample": info.name in samples,
        "path": str(info.path),
        "ready": info.ready,
        "size_bytes": info.size_bytes,
        "created": info.created,
        "checksum": info.checksum,
        "sensors": list(meta.sensors) if meta else [],
        "training_algorithm": meta.training_algorithm if meta else None,
        "action_space_type": meta.action_space_type if meta else None,
        "error": info.error,
    }


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "K", "M", "G"):
        if value < 1024 or unit == "G":
            return f"{value:.0f}{unit}" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1024
    return f"{n}B"


def cmd_list(args: argparse.Namespace) -> int:
    from inference.models import list_models
    from inference.samples import sample_names

    artifacts = _artifacts(args)
    models = list_models(artifacts)
    samples = sample_names(artifacts)
    if args.json:
        print(json.dumps([_row(m, samples) for m in models], indent=2))
        return 0
    if not models:
        print(f"No models in {artifacts}")
        return 0
    rows = [("NAME", "SENSORS", "ALGORITHM", "ACTIONS", "SIZE", "INSTALLED", "STATUS")]
    for m in models:
        meta = m.metadata
        rows.append((
            m.name,
            ",".join(meta.sensors) if meta else "--",
            meta.training_algorithm_display_name if meta else "--",
            meta.action_space_type_display_name if meta else "--",
            _size(m.size_bytes),
            time.strftime("%Y-%m-%d %H:%M", time.localtime(m.created)),
            ("ready" if m.ready else f"broken: {m.error}") + (" (sample)" if m.name in samples else ""),
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for r in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r[:-1])) + "  " + r[-1])
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from inference.errors import ModelImportError
    from inference.models import delete_model

    try:
        delete_model(_artifacts(args), args.name)
    except ModelImportError as exc:
        return _fail(str(exc))
    print(f"Deleted model {args.name!r}")
    return 0


def cmd_restore_samples(args: argparse.Namespace) -> int:
    from inference.samples import restore_samples, shipped_samples

    if not shipped_samples():
        return _fail("this installation ships no sample models (sample_models/ is empty)")
    report = restore_samples(_artifacts(args))
    for name in report.installed:
        print(f"Restored sample model {name!r}")
    for name, reason in report.failed:
        print(f"error: sample model {name!r}: {reason}", file=sys.stderr)
    return 1 if report.failed else 0
