"""Small release bundles for tests: a tiny real wheel (package `drprobe`) and a marker interface file.

The wheel is a genuine wheel (dist-info, RECORD with hashes) so the real offline pip install of a
release runs; `drprobe.HEALTHY` is what the tests' health check reads from the installed release.
"""

from __future__ import annotations

import base64
import hashlib
import tarfile
import zipfile
from pathlib import Path

from updates.bundle import build_bundle


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def tiny_wheel(folder: Path, version: str, healthy: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    dist = f"drprobe-{version}.dist-info"
    files = {
        "drprobe/__init__.py": f"VERSION = {version!r}\nHEALTHY = {healthy!r}\n".encode(),
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: drprobe\nVersion: {version}\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in files.items())
    record += f"{dist}/RECORD,,\n"
    path = folder / f"drprobe-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for name, data in files.items():
            wheel.writestr(name, data)
        wheel.writestr(f"{dist}/RECORD", record)
    return path


def make_bundle(out: Path, version: str, healthy: bool = True, arch: str | None = None) -> Path:
    """deepracer-<version>.tar.gz in `out` with the tiny wheel and an interface-package marker."""
    work = out / f".src-{version}"
    wheel = tiny_wheel(work / "wheels", version, healthy)
    marker = work / "share.txt"
    marker.write_text(f"deepracer_interfaces_pkg for {version}\n")
    files = {f"wheels/{wheel.name}": wheel, "interfaces/deepracer_interfaces_pkg/share/version.txt": marker}
    return build_bundle(out, version, files, arch=arch)


def tamper(bundle: Path, out: Path) -> Path:
    """A copy of `bundle` with one byte of its wheel changed (the manifest left as it was)."""
    target = out / bundle.name
    with tarfile.open(bundle, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for member in src.getmembers():
            handle = src.extractfile(member) if member.isfile() else None
            data = handle.read() if handle is not None else b""
            if member.name.endswith(".whl"):
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            import io

            dst.addfile(member, io.BytesIO(data) if member.isfile() else None)
    return target
