"""The dpkg entry `aws-deepracer-core` that fleet managers look for (drem_contract.md §8.5, §9 item 8).

DREM reads the car's `aws-deepracer-core` package version from the SSM inventory (which lists dpkg's
packages) and calls a car "logging capable" when `version.split("+")[0]`, as integers, is at least
2.1.2.7; `dpkg -l | grep "aws-deepracer-core.*community"` tells it the car runs a community stack
(it then skips the patches meant for the stock one). Our stack is installed by `deepracer install`,
not by dpkg, so the install registers an empty metapackage with that name:

    Package: aws-deepracer-core
    Version: 2.1.9.9+community.<our version>

built with `dpkg-deb` and installed with `dpkg -i` (`--root DIR` for an image or a test). It owns no
files. A car that still has the stock package (its files are the original stack) keeps it: the entry is
only written where no `aws-deepracer-core` is installed or where it is ours, and `deepracer uninstall`
removes only ours.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "aws-deepracer-core"
# what DREM compares (>= 2.1.2.7) and greps for ("community"); our own version follows, for people
COMPAT_VERSION = "2.1.9.9"
MAINTAINER = "DeepRacer open stack <deepracer-open-stack@localhost>"
MARK = "Installed by `deepracer install` (DeepRacer open stack)"


class DpkgError(RuntimeError):
    pass


@dataclass(frozen=True)
class Entry:
    version: str
    ours: bool


def entry_version(stack_version: str) -> str:
    """The Debian version of our entry for the stack's version (any text made Debian-safe)."""
    safe = re.sub(r"[^0-9A-Za-z.~]+", ".", stack_version).strip(".") or "unknown"
    return f"{COMPAT_VERSION}+community.{safe}"


def logging_capable(version: str) -> bool:
    """DREM's test of a car's `aws-deepracer-core` version (car_status_update_function)."""
    try:
        return [int(part) for part in version.split("+")[0].split(".")] >= [2, 1, 2, 7]
    except ValueError:
        return False


def _dpkg_args(root: Path | None) -> list[str]:
    if root is None or root.resolve() == Path("/"):
        return []
    return [f"--root={root}"]


def _prepare_admindir(root: Path | None) -> None:
    """dpkg's database inside an image or test folder that has none yet."""
    if root is None or root.resolve() == Path("/"):
        return
    admin = root / "var" / "lib" / "dpkg"
    for sub in ("info", "updates", "triggers"):
        (admin / sub).mkdir(parents=True, exist_ok=True)
    for name in ("status", "available"):
        (admin / name).touch(exist_ok=True)


def installed(root: Path | None = None) -> Entry | None:
    """The `aws-deepracer-core` package dpkg knows (None: not installed)."""
    if shutil.which("dpkg-query") is None:
        return None
    proc = subprocess.run(["dpkg-query", *_dpkg_args(root), "-W", "-f", "${Status}\t${Version}\t${Description}",
                           PACKAGE], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return None
    status, _, rest = proc.stdout.partition("\t")
    version, _, description = rest.partition("\t")
    if not status.endswith(" installed"):
        return None
    return Entry(version=version, ours=MARK in description)


def build_package(version: str, out_dir: Path) -> Path:
    """The empty metapackage `aws-deepracer-core_<version>_all.deb` in `out_dir`."""
    tree = Path(tempfile.mkdtemp(prefix="dpkg-entry-", dir=out_dir))
    try:
        (tree / "DEBIAN").mkdir()
        (tree / "DEBIAN" / "control").write_text(
            f"Package: {PACKAGE}\nVersion: {version}\nArchitecture: all\nMaintainer: {MAINTAINER}\n"
            "Section: misc\nPriority: optional\n"
            "Description: DeepRacer open stack (fleet manager compatibility entry)\n"
            f" {MARK}: the stack lives in /opt/deepracer and is managed by `deepracer`;\n"
            " this entry only tells fleet managers which stack and version the car runs.\n")
        deb = out_dir / f"{PACKAGE}_{version}_all.deb"
        proc = subprocess.run(["dpkg-deb", "--root-owner-group", "--build", str(tree), str(deb)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise DpkgError(f"dpkg-deb: {proc.stderr.strip() or proc.stdout.strip()}")
        return deb
    finally:
        shutil.rmtree(tree, ignore_errors=True)


def register_entry(stack_version: str, root: Path | None = None) -> str:
    """Install our entry (unless the stock package is there); says what was done."""
    if shutil.which("dpkg") is None or shutil.which("dpkg-deb") is None:
        return "no dpkg on this system: no aws-deepracer-core entry for fleet managers"
    current = installed(root)
    if current is not None and not current.ours:
        return (f"the stock {PACKAGE} {current.version} is installed: kept as it is "
                "(fleet managers see that version)")
    _prepare_admindir(root)
    version = entry_version(stack_version)
    with tempfile.TemporaryDirectory(prefix="dpkg-entry-") as tmp:
        deb = build_package(version, Path(tmp))
        proc = subprocess.run(["dpkg", *_dpkg_args(root), "-i", str(deb)], capture_output=True, text=True,
                              check=False)
    if proc.returncode != 0:
        raise DpkgError(f"dpkg -i: {proc.stderr.strip() or proc.stdout.strip()}")
    return f"registered {PACKAGE} {version} for fleet managers"


def unregister_entry(root: Path | None = None) -> str:
    """Remove our entry (never the stock package)."""
    current = installed(root)
    if current is None:
        return f"no {PACKAGE} entry"
    if not current.ours:
        return f"the stock {PACKAGE} {current.version} is kept"
    proc = subprocess.run(["dpkg", *_dpkg_args(root), "--purge", PACKAGE], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise DpkgError(f"dpkg --purge: {proc.stderr.strip() or proc.stdout.strip()}")
    return f"removed the {PACKAGE} entry"
