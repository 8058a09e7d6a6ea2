"""The `aws-deepracer-core` dpkg entry a fleet manager reads (drem_contract.md §8.5, §9 item 8):
`deepracer install` registers it, DREM's own checks on it pass, uninstall removes it, and a car that
has the stock package keeps that one untouched."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def deepracer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.deepracer", *args], capture_output=True, text=True,
                          timeout=120, cwd=REPO)


def dpkg_list(root: Path) -> str:
    """`dpkg -l` as DREM runs it (inside the root)."""
    return subprocess.run(["dpkg", f"--root={root}", "-l"], capture_output=True, text=True, check=False).stdout


def core_version(root: Path) -> str | None:
    """The version the SSM inventory reports (dpkg-query -W, as the agent's gatherer)."""
    proc = subprocess.run(["dpkg-query", f"--root={root}", "-W", "-f", "${Status} ${Version}", "aws-deepracer-core"],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0 or "installed" not in proc.stdout:
        return None
    return proc.stdout.split()[-1]


def drem_logging_capable(version: str) -> bool:
    """car_status_update_function's test, written out again here."""
    return list(map(int, version.split("+")[0].split("."))) >= [2, 1, 2, 7]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "root"
    (target / "etc").mkdir(parents=True)
    (target / "etc" / "os-release").write_text('ID=ubuntu\nVERSION_ID="22.04"\n')
    return target


def test_install_registers_a_logging_capable_community_entry_and_uninstall_removes_it(root: Path) -> None:
    assert core_version(root) is None
    result = deepracer("install", "--root", str(root), "--no-start")
    assert result.returncode == 0, result.stdout + result.stderr
    version = core_version(root)
    assert version is not None and drem_logging_capable(version), version
    assert re.search(r"aws-deepracer-core.*community", dpkg_list(root))      # DREM's community detection
    assert "registered aws-deepracer-core" in result.stdout

    result = deepracer("install", "--root", str(root), "--no-start")           # an upgrade: still one entry
    assert result.returncode == 0 and core_version(root) == version, result.stdout + result.stderr

    result = deepracer("uninstall", "--root", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert core_version(root) is None
    assert "aws-deepracer-core" not in dpkg_list(root)


def _stock_package(tmp_path: Path, root: Path) -> None:
    """The original stack's package (with a file of its own) installed in the root."""
    tree = tmp_path / "stock"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN" / "control").write_text(
        "Package: aws-deepracer-core\nVersion: 2.0.383.0\nArchitecture: all\nMaintainer: AWS <x@example.com>\n"
        "Description: AWS DeepRacer core\n")
    (tree / "opt/aws/deepracer/lib").mkdir(parents=True)
    (tree / "opt/aws/deepracer/lib/stock.txt").write_text("the original stack\n")
    deb = tmp_path / "stock.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "--build", str(tree), str(deb)], check=True,
                   capture_output=True)
    for sub in ("info", "updates", "triggers"):
        (root / "var/lib/dpkg" / sub).mkdir(parents=True, exist_ok=True)
    for name in ("status", "available"):
        (root / "var/lib/dpkg" / name).touch()
    subprocess.run(["dpkg", f"--root={root}", "-i", str(deb)], check=True, capture_output=True)


def test_the_stock_package_of_an_original_car_is_kept(root: Path, tmp_path: Path) -> None:
    _stock_package(tmp_path, root)
    assert core_version(root) == "2.0.383.0"
    result = deepracer("install", "--root", str(root), "--no-start")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the stock aws-deepracer-core 2.0.383.0 is installed: kept" in result.stdout
    assert core_version(root) == "2.0.383.0"
    assert (root / "opt/aws/deepracer/lib/stock.txt").read_text() == "the original stack\n"
    result = deepracer("uninstall", "--root", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert core_version(root) == "2.0.383.0"
