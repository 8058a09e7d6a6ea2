"""Set-up never installs system packages behind a user's back: when not root and an apt package is
missing it prints the exact `sudo apt-get install` line and stops."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _fake_bin(tmp_path: Path, installed: set[str]) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "id").write_text("#!/bin/sh\n[ \"$1\" = -u ] && echo 1000 || /usr/bin/id \"$@\"\n")
    lines = ["#!/bin/sh", 'pkg="$3"']
    lines.append('case "$pkg" in')
    for name in sorted(installed):
        lines.append(f'  {name}) printf "install ok installed"; exit 0;;')
    lines.append('  *) echo "dpkg-query: no packages found matching $pkg" >&2; exit 1;;')
    lines.append("esac")
    (bin_dir / "dpkg-query").write_text("\n".join(lines) + "\n")
    (bin_dir / "apt-get").write_text("#!/bin/sh\necho apt-get must not run >&2\nexit 99\n")
    for f in bin_dir.iterdir():
        f.chmod(0o755)
    return bin_dir


def _run(bin_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    return subprocess.run(["bash", str(REPO / "scripts" / "bootstrap.sh"), "--check-apt"], capture_output=True,
                          text=True, env=env, timeout=30)


def test_missing_package_prints_the_sudo_line_and_stops(tmp_path: Path) -> None:
    result = _run(_fake_bin(tmp_path, installed={"cmake", "g++", "make", "dnsmasq-base"}))
    assert result.returncode == 1
    assert "sudo apt-get install -y chromium fonts-dejavu-core busybox" in result.stdout
    assert "apt-get must not run" not in result.stderr


def test_nothing_missing_passes_quietly(tmp_path: Path) -> None:
    result = _run(_fake_bin(tmp_path, installed={"cmake", "g++", "make", "dnsmasq-base", "chromium",
                                                 "fonts-dejavu-core", "busybox"}))
    assert result.returncode == 0
    assert result.stdout == ""
