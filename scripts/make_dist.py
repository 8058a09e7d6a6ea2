"""`make dist`: the release bundle `build/dist/deepracer-<version>.tar.gz` and its `index.json`.

    python scripts/make_dist.py [--out build/dist] [--no-deps | --wheelhouse DIR]

Contents: our wheel (built from this checkout), the pinned dependency wheels (requirements.txt,
requirements-ros2.txt and pip itself, fetched with `pip download` or taken from --wheelhouse), and the
built interface package (ros2_ws/install/deepracer_interfaces_pkg, from `make setup`); the manifest
lists the sha256 of every file (updates/bundle.py). `--no-deps` leaves the dependency wheels out (a
bundle for a car that already has them; also what the test of this script builds, in seconds).
The index written beside the bundle makes `build/dist` a package index for `deepracer update --index`.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from updates.bundle import build_bundle, machine_arch, python_tag, sha256_file  # noqa: E402


def project_version() -> str:
    match = re.search(r'version="([^"]+)"', (ROOT / "setup.py").read_text())
    if match is None:
        raise SystemExit("setup.py names no version")
    return match.group(1)


def pip(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"pip {args[0]} failed:\n{(proc.stderr or proc.stdout)[-3000:]}")


def _clean_setuptools_build() -> None:
    """setuptools builds in build/lib and build/bdist.*: stale files there would end up in the wheel."""
    import shutil

    for leftover in [ROOT / "build" / "lib", *(ROOT / "build").glob("bdist.*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def our_wheel(dest: Path) -> Path:
    _clean_setuptools_build()
    try:
        pip("wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", str(dest), str(ROOT))
    finally:
        _clean_setuptools_build()
    wheels = sorted(dest.glob("deepracer_open_stack-*.whl"))
    if not wheels:
        raise SystemExit("pip wheel built no deepracer_open_stack wheel")
    return wheels[-1]


def dependency_wheels(dest: Path, wheelhouse: Path | None) -> list[Path]:
    requirements = [ROOT / "requirements.txt", ROOT / "requirements-ros2.txt"]
    import importlib.metadata

    pins = [f"pip=={importlib.metadata.version('pip')}"]
    source = ["--no-index", "--find-links", str(wheelhouse)] if wheelhouse else []
    pip("download", "--quiet", "--only-binary=:all:", "--no-deps", "--dest", str(dest), *source,
        *[arg for req in requirements for arg in ("-r", str(req))], *pins)
    return sorted(dest.glob("*.whl"))


def interface_files(install: Path) -> dict[str, Path]:
    if not install.is_dir():
        raise SystemExit(f"{install} is missing: run `make setup` first")
    files = {}
    for path in sorted(install.rglob("*")):
        if path.is_file():  # links are followed: the bundle holds plain files only
            files[f"interfaces/deepracer_interfaces_pkg/{path.relative_to(install).as_posix()}"] = path.resolve()
    return files


def write_index(out: Path, bundle: Path, version: str) -> Path:
    index = out / "index.json"
    try:
        doc = json.loads(index.read_text())
    except (OSError, ValueError):
        doc = {"releases": []}
    releases = [r for r in doc.get("releases", []) if r.get("version") != version]
    releases.append({"version": version, "arch": machine_arch(), "python": python_tag(), "file": bundle.name,
                     "sha256": sha256_file(bundle)})
    index.write_text(json.dumps({"releases": releases}, indent=2) + "\n")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "dist")
    deps = parser.add_mutually_exclusive_group()
    deps.add_argument("--no-deps", action="store_true", help="leave the dependency wheels out")
    deps.add_argument("--wheelhouse", type=Path, default=None, help="take dependency wheels from this folder")
    parser.add_argument("--interfaces", type=Path, default=ROOT / "ros2_ws" / "install" / "deepracer_interfaces_pkg")
    args = parser.parse_args(argv)
    version = project_version()
    with tempfile.TemporaryDirectory(prefix="deepracer-dist-") as tmp:
        wheels = Path(tmp) / "wheels"
        files = {f"wheels/{w.name}": w for w in ([] if args.no_deps else dependency_wheels(wheels, args.wheelhouse))}
        ours = our_wheel(Path(tmp) / "ours")
        files[f"wheels/{ours.name}"] = ours
        files.update(interface_files(args.interfaces))
        bundle = build_bundle(args.out, version, files)
    index = write_index(args.out, bundle, version)
    print(f"{bundle} ({len(files)} files, {bundle.stat().st_size / 1e6:.1f} MB); index {index}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
