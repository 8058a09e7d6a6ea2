"""Where release bundles come from: a USB stick's `updates/` folder, an upload, a package index.

A package index is a folder or an http(s) URL holding `index.json`:

    {"releases": [{"version": "0.2.0", "arch": "x86_64", "python": "3.11",
                   "file": "deepracer-0.2.0.tar.gz", "sha256": "<of the .tar.gz>"}]}

(`file` is relative to the index; `make dist` writes such an index beside the bundle). A folder
without index.json is read as a plain list of `deepracer-*.tar.gz` bundles, as a USB `updates/` folder.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from updates.bundle import BundleError, machine_arch, python_tag, read_bundle_version, version_key

INDEX_FILE = "index.json"
BUNDLE_GLOB = "deepracer-*.tar.gz"
USB_FOLDER = "updates"


@dataclass(frozen=True)
class Release:
    version: str
    location: str  # a local path or an http(s) URL
    sha256: str = ""


def _newer(version: str, than: str | None) -> bool:
    if than is None:
        return True
    try:
        return version_key(version) > version_key(than)
    except BundleError:
        return True


def bundles_in_folder(folder: Path) -> list[Release]:
    """Readable bundles in a folder, oldest first (unreadable ones are skipped)."""
    found = []
    for path in sorted(folder.glob(BUNDLE_GLOB)):
        if not path.is_file():
            continue
        try:
            found.append(Release(read_bundle_version(path), str(path)))
        except BundleError:
            continue
    return sorted(found, key=lambda r: version_key(r.version))


def find_usb_updates(root: Path) -> Path | None:
    """The `updates/` folder at the root of a drive (any letter case), or None."""
    try:
        for entry in root.iterdir():
            if entry.is_dir() and entry.name.lower() == USB_FOLDER:
                return entry
    except OSError:
        return None
    return None


def read_index(location: str, arch: str | None = None) -> list[Release]:
    """Releases an index offers for this car (architecture and Python), oldest first."""
    arch = arch or machine_arch()
    if not location.startswith(("http://", "https://")):
        folder = Path(location)
        if not folder.is_dir():
            raise FileNotFoundError(f"no package index at {folder}")
        if not (folder / INDEX_FILE).is_file():
            return bundles_in_folder(folder)
        doc: Any = json.loads((folder / INDEX_FILE).read_text())
        base = str(folder)
    else:
        import httpx

        index_url = location if location.endswith(".json") else location.rstrip("/") + "/" + INDEX_FILE
        reply = httpx.get(index_url, timeout=30.0, follow_redirects=True)
        reply.raise_for_status()
        doc = reply.json()
        base = index_url
    releases = []
    for entry in doc.get("releases", []) if isinstance(doc, dict) else []:
        if not isinstance(entry, dict) or entry.get("arch") != arch or entry.get("python", python_tag()) != python_tag():
            continue
        try:
            version_key(str(entry.get("version", "")))
        except BundleError:
            continue
        name = str(entry.get("file", ""))
        where = urljoin(base, name) if base.startswith("http") else str(Path(base) / name)
        releases.append(Release(str(entry["version"]), where, str(entry.get("sha256", ""))))
    return sorted(releases, key=lambda r: version_key(r.version))


def newest(releases: list[Release], than: str | None) -> Release | None:
    candidates = [r for r in releases if _newer(r.version, than)]
    return candidates[-1] if candidates else None


def fetch(release: Release, dest_dir: Path, progress: Callable[[float], None] = lambda _f: None) -> Path:
    """The bundle as a local file in `dest_dir` (downloaded or copied; sha256 checked when given)."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / f"deepracer-{release.version}.tar.gz"
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    with open(partial, "wb") as out:
        if release.location.startswith(("http://", "https://")):
            import httpx

            with httpx.stream("GET", release.location, timeout=60.0, follow_redirects=True) as reply:
                reply.raise_for_status()
                total = int(reply.headers.get("content-length") or 0)
                done = 0
                for chunk in reply.iter_bytes(1 << 20):
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if total:
                        progress(done / total)
        else:
            with open(release.location, "rb") as source:
                total = os.fstat(source.fileno()).st_size or 1
                done = 0
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    progress(done / total)
        out.flush()
        os.fsync(out.fileno())
    if release.sha256 and digest.hexdigest() != release.sha256:
        partial.unlink(missing_ok=True)
        raise BundleError(f"the downloaded bundle {target.name} does not match the index's sha256")
    os.replace(partial, target)
    return target
