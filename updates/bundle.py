"""Release bundles: `deepracer-<version>.tar.gz`, built by `make dist` and checked before anything changes.

Layout (one top folder):

    deepracer-<version>/manifest.json
    deepracer-<version>/wheels/*.whl                     our wheel and every pinned dependency's
    deepracer-<version>/interfaces/deepracer_interfaces_pkg/...   the built interface package

manifest.json:

    {"format": 1, "name": "deepracer-open-stack", "version": "0.2.0", "arch": "x86_64",
     "python": "3.11", "created": "2025-01-01T00:00:00Z",
     "files": {"wheels/deepracer_open_stack-0.2.0-py3-none-any.whl": {"sha256": "...", "size": 123}, ...}}

`verify_bundle()` unpacks into a staging folder and refuses, with a clear message, anything that is
not exactly that: links, devices, absolute paths or `..`, a file that is missing, extra or whose
sha256 or size differs, a malformed version, another architecture or Python.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import sys
import tarfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

NAME = "deepracer-open-stack"
FORMAT = 1
MANIFEST = "manifest.json"
VERSION_RE = re.compile(r"^\d+(\.\d+){1,3}$")
MAX_FILES = 20000
MAX_BYTES = 4 << 30


class BundleError(ValueError):
    """The bundle is refused; the message says why (shown to the user as it is)."""


def machine_arch(machine: str | None = None) -> str:
    """This computer's architecture in the manifest's spelling (x86_64, aarch64)."""
    value = (machine or platform.machine()).lower()
    return {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}.get(value, value)


def python_tag() -> str:
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def version_key(version: str) -> tuple[int, ...]:
    if not VERSION_RE.match(version):
        raise BundleError(f"{version!r} is not a release version (like 1.2.3)")
    parts = tuple(int(p) for p in version.split("."))
    return parts + (0,) * (4 - len(parts))


def bundle_name(version: str) -> str:
    return f"deepracer-{version}.tar.gz"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Bundle:
    """A verified, unpacked bundle."""

    root: Path  # the unpacked top folder
    version: str
    arch: str
    manifest: dict[str, Any]

    @property
    def wheels(self) -> list[Path]:
        return sorted((self.root / "wheels").glob("*.whl"))

    @property
    def interfaces(self) -> Path:
        return self.root / "interfaces"


# -- building -----------------------------------------------------------------------------------

def build_bundle(out_dir: Path, version: str, files: Mapping[str, Path], arch: str | None = None,
                 python: str | None = None) -> Path:
    """Write `deepracer-<version>.tar.gz` into `out_dir` from {path in bundle: file on disk}."""
    version_key(version)
    top = f"deepracer-{version}"
    entries: dict[str, dict[str, Any]] = {}
    for rel, source in sorted(files.items()):
        _check_member_path(rel)
        entries[rel] = {"sha256": sha256_file(source), "size": source.stat().st_size}
    manifest = {"format": FORMAT, "name": NAME, "version": version, "arch": arch or machine_arch(),
                "python": python or python_tag(), "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "files": entries}
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / bundle_name(version)
    partial = target.with_name(target.name + ".partial")
    with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
        data = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
        info = tarfile.TarInfo(f"{top}/{MANIFEST}")
        info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
        import io

        tar.addfile(info, io.BytesIO(data))
        for rel, source in sorted(files.items()):
            tar.add(source, arcname=f"{top}/{rel}", recursive=False)
    os.replace(partial, target)
    return target


# -- verifying ----------------------------------------------------------------------------------

# Python's "data" extraction filter where it exists (3.11.4+, 3.12+); the members are checked above
# it either way (plain files and folders under one top folder, no absolute or ".." paths)
EXTRACT_FILTER: dict[str, Any] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


def _check_member_path(rel: str) -> None:
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts or rel != path.as_posix():
        raise BundleError(f"the bundle names an unsafe path: {rel!r}")


def _safe_members(tar: tarfile.TarFile) -> tuple[str, list[tarfile.TarInfo]]:
    members = tar.getmembers()
    if len(members) > MAX_FILES:
        raise BundleError(f"the bundle has more than {MAX_FILES} entries")
    if sum(m.size for m in members) > MAX_BYTES:
        raise BundleError("the bundle unpacks to more than 4 GB")
    tops = {PurePosixPath(m.name).parts[0] for m in members if PurePosixPath(m.name).parts}
    if len(tops) != 1:
        raise BundleError("the bundle must hold exactly one top folder deepracer-<version>/")
    top = tops.pop()
    for member in members:
        _check_member_path(member.name)
        if not (member.isfile() or member.isdir()):
            raise BundleError(f"the bundle holds a link or device file: {member.name}")
    return top, members


def verify_bundle(archive: Path, staging: Path, arch: str | None = None) -> Bundle:
    """Unpack `archive` into `staging` (created; left for the caller to remove) and check it all."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            top, members = _safe_members(tar)
            staging.mkdir(parents=True, exist_ok=True)
            tar.extractall(staging, members=members, **EXTRACT_FILTER)
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError) as exc:
        raise BundleError(f"{archive.name} is not a readable bundle: {exc}") from exc
    root = staging / top
    manifest = _read_manifest(root)
    version = str(manifest["version"])
    if top != f"deepracer-{version}":
        raise BundleError(f"the bundle's folder {top!r} does not match its version {version}")
    want_arch = arch or machine_arch()
    if manifest["arch"] != want_arch:
        raise BundleError(f"the bundle is built for {manifest['arch']}, this car is {want_arch}")
    if manifest.get("python") != python_tag():
        raise BundleError(f"the bundle is built for Python {manifest.get('python')}, this car runs {python_tag()}")
    _check_files(root, manifest["files"])
    return Bundle(root=root, version=version, arch=str(manifest["arch"]), manifest=manifest)


def _read_manifest(root: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((root / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BundleError(f"the bundle has no readable {MANIFEST}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("name") != NAME:
        raise BundleError(f"{MANIFEST} is not a {NAME} manifest (format {FORMAT})")
    version_key(str(manifest.get("version", "")))
    if not isinstance(manifest.get("files"), dict) or not isinstance(manifest.get("arch"), str):
        raise BundleError(f"{MANIFEST} lacks its files or its architecture")
    return manifest


def _check_files(root: Path, listed: dict[str, Any]) -> None:
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - {MANIFEST}
    missing = sorted(set(listed) - present)
    extra = sorted(present - set(listed))
    if missing:
        raise BundleError(f"the bundle lacks {missing[0]}" + (f" and {len(missing) - 1} more" if len(missing) > 1 else ""))
    if extra:
        raise BundleError(f"the bundle holds a file its manifest does not list: {extra[0]}")
    for rel, entry in sorted(listed.items()):
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
            raise BundleError(f"{MANIFEST} has no sha256 for {rel}")
        path = root / rel
        if path.stat().st_size != entry.get("size", path.stat().st_size) or sha256_file(path) != entry["sha256"]:
            raise BundleError(f"checksum mismatch for {rel}: the bundle is damaged or was altered")


def read_bundle_version(archive: Path) -> str:
    """The version a bundle's manifest names, without unpacking it all (for listings)."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                if member.isfile() and PurePosixPath(member.name).name == MANIFEST and \
                        len(PurePosixPath(member.name).parts) == 2:
                    handle = tar.extractfile(member)
                    if handle is not None:
                        data = json.loads(handle.read(1 << 20))
                        version = str(data.get("version", ""))
                        version_key(version)
                        return version
    except (tarfile.TarError, OSError, ValueError, EOFError) as exc:
        raise BundleError(f"{archive.name} is not a readable bundle: {exc}") from exc
    raise BundleError(f"{archive.name} has no {MANIFEST}")


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
