"""Releases side by side: `<prefix>/releases/<version>/` and `<prefix>/current` pointing at one of them.

A release folder is complete or absent: it is built as `releases/.incoming-<version>` and renamed
into place (one rename) only when everything is in it, so a power cut during an install leaves an
incoming folder (removed by the next install) and `current` where it was. `current` is switched by
making a new symlink beside it and renaming it over the old one (atomic on POSIX), then syncing the
folder; there is never a moment without a `current`.

A release folder holds:

    venv/          Python with our wheel and every pinned dependency (installed offline from the bundle)
    interfaces/    the built deepracer_interfaces_pkg
    manifest.json  the bundle's manifest (version, files)
    env.sh         the environment (venv, interfaces, DDS profile), sourced by <prefix>/bin/deepracer
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from runtime.atomic import fsync_dir
from updates.bundle import MANIFEST, Bundle, BundleError, version_key

ENV_TEXT = """# A DeepRacer release's environment (written by `deepracer update`): . <release>/env.sh
_dr_rel="$(cd "$(dirname "${{BASH_SOURCE[0]:-$0}}")" && pwd)"
. "$_dr_rel/venv/bin/activate"
_dr_pkg="$_dr_rel/interfaces/deepracer_interfaces_pkg"
export PYTHONPATH="$_dr_pkg/lib/python{python}/site-packages${{PYTHONPATH:+:$PYTHONPATH}}"
export LD_LIBRARY_PATH="$_dr_pkg/lib${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}"
export AMENT_PREFIX_PATH="$_dr_pkg:${{AMENT_PREFIX_PATH:-$VIRTUAL_ENV}}"
export RMW_IMPLEMENTATION="${{RMW_IMPLEMENTATION:-rmw_fastrtps_cpp}}"
export DEEPRACER_RELEASE="$_dr_rel"
_dr_dds="$_dr_rel/venv/lib/python{python}/site-packages/runtime/dds/fastdds_profile.xml"
[ -f "$_dr_dds" ] && export FASTDDS_DEFAULT_PROFILES_FILE="${{FASTDDS_DEFAULT_PROFILES_FILE:-$_dr_dds}}"
unset _dr_rel _dr_pkg _dr_dds
"""

Provisioner = Callable[[Bundle, Path], None]


def pip_provision(bundle: Bundle, release: Path) -> None:
    """A venv in `release/venv` with the bundle's wheels installed offline (no index, no resolver
    surprises: exactly the pinned wheels), and the interface package beside it."""
    import pip

    venv = release / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    wheels = [str(w) for w in bundle.wheels]
    if not wheels:
        raise BundleError("the bundle has no wheels")
    # pip (self-contained: its dependencies are vendored) runs inside the new venv's interpreter, so
    # everything lands there with that interpreter in the scripts' #! lines; only pip is on its path
    # (the running release's site-packages stay out of sight)
    tools = release / ".pip"
    tools.mkdir()
    (tools / "pip").symlink_to(Path(pip.__file__).resolve().parent)
    try:
        _run([str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "--isolated", "install",
              "--quiet", "--no-index", "--no-deps", "--no-compile", *wheels], env={"PYTHONPATH": str(tools)})
    finally:
        shutil.rmtree(tools, ignore_errors=True)
    if bundle.interfaces.is_dir():
        shutil.copytree(bundle.interfaces, release / "interfaces", symlinks=False)


def _run(argv: list[str], env: dict[str, str] | None = None) -> None:
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_REQUIRE_VIRTUALENV")}
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, env={**environ, **(env or {})})
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise OSError(f"{Path(argv[0]).name} {' '.join(argv[1:3])} failed ({proc.returncode}): " + " | ".join(detail))


class ReleaseStore:
    def __init__(self, prefix: Path) -> None:
        self.prefix = Path(prefix)
        self.releases = self.prefix / "releases"
        self.current_link = self.prefix / "current"

    def path(self, version: str) -> Path:
        return self.releases / version

    def versions(self) -> list[str]:
        try:
            names = [p.name for p in self.releases.iterdir() if p.is_dir() and not p.name.startswith(".")]
        except OSError:
            return []
        valid = []
        for name in names:
            try:
                version_key(name)
            except BundleError:
                continue
            valid.append(name)
        return sorted(valid, key=version_key)

    def current(self) -> str | None:
        try:
            target = os.readlink(self.current_link)
        except OSError:
            return None
        name = Path(target).name
        return name if (self.releases / name).is_dir() else None

    def install(self, bundle: Bundle, provision: Provisioner = pip_provision) -> Path:
        """Build `releases/<version>` from a verified bundle (replacing a previous copy of that version
        that is not current)."""
        self.releases.mkdir(parents=True, exist_ok=True)
        self.clean_incoming()
        incoming = self.releases / f".incoming-{bundle.version}"
        incoming.mkdir()
        try:
            provision(bundle, incoming)
            shutil.copy2(bundle.root / MANIFEST, incoming / MANIFEST)
            python = f"{sys.version_info[0]}.{sys.version_info[1]}"
            (incoming / "env.sh").write_text(ENV_TEXT.format(python=python))
            os.sync()  # every file of the new release on disk before it is renamed into place
            final = self.path(bundle.version)
            if final.exists():
                if self.current() == bundle.version:
                    raise BundleError(f"{bundle.version} is the running release")
                aside = self.releases / f".replaced-{bundle.version}"
                shutil.rmtree(aside, ignore_errors=True)
                os.rename(final, aside)
                shutil.rmtree(aside, ignore_errors=True)
            os.rename(incoming, final)
            fsync_dir(self.releases)
            return final
        except BaseException:
            shutil.rmtree(incoming, ignore_errors=True)
            raise

    def switch(self, version: str) -> None:
        """Point `current` at `releases/<version>` in one rename."""
        if not self.path(version).is_dir():
            raise BundleError(f"release {version} is not installed")
        tmp = self.prefix / f".current.{os.getpid()}"
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(os.path.join("releases", version), tmp)
        os.replace(tmp, self.current_link)
        fsync_dir(self.prefix)

    def clean_incoming(self) -> None:
        """Remove what an interrupted install left (never a complete release)."""
        try:
            leftovers = [p for p in self.releases.iterdir() if p.name.startswith((".incoming-", ".replaced-"))]
        except OSError:
            return
        for path in leftovers:
            shutil.rmtree(path, ignore_errors=True)

    def prune(self, keep: int = 3) -> list[str]:
        """Remove the oldest releases beyond `keep`, never the current one. Returns what was removed."""
        current = self.current()
        removable = [v for v in self.versions() if v != current]
        removed = removable[: max(0, len(self.versions()) - keep)]
        for version in removed:
            shutil.rmtree(self.path(version), ignore_errors=True)
        return removed

