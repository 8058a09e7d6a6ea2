"""`deepracer install` / `deepracer uninstall` into a temporary root: service account, software
under /opt/deepracer, units installed and enabled, the car's state in /opt/aws/deepracer kept."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli.install import SERVICE_USER, UNITS

REPO = Path(__file__).resolve().parents[2]


def deepracer(*args: str) -> subprocess.CompletedProcess[str]:
    """The `deepracer` command in a process of its own."""
    return subprocess.run([sys.executable, "-m", "cli.deepracer", *args], capture_output=True, text=True,
                          timeout=120, cwd=REPO)


def deepracer_here(capsys, *args: str) -> subprocess.CompletedProcess[str]:
    """The same command in this process (faster; same parser, same code)."""
    from cli.deepracer import build_parser

    parsed = build_parser().parse_args(list(args))
    code = int(parsed.func(parsed) or 0)
    out = capsys.readouterr()
    return subprocess.CompletedProcess(list(args), code, out.out, out.err)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "root"
    (target / "etc").mkdir(parents=True)
    (target / "etc" / "os-release").write_text('ID=ubuntu\nVERSION_ID="22.04"\n')
    # a car that already has state from the original software
    state = target / "opt/aws/deepracer"
    (state / "artifacts" / "AWS Sample").mkdir(parents=True)
    (state / "calibration.json").write_text('{"throttle_max": 1650000}')
    (state / "password.txt").write_text("a7b2...")
    return target


def users(root: Path) -> list[str]:
    path = root / "etc/passwd"
    return [line.split(":")[0] for line in path.read_text().splitlines()] if path.exists() else []


def test_install_upgrade_uninstall(root: Path, capsys):
    result = deepracer("install", "--root", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    prefix = root / "opt/deepracer"
    # software, wrapper, command on PATH
    assert (prefix / "src/usb_wifi_provisioner/daemon.py").is_file()
    assert not (prefix / "src/.git").exists() and not (prefix / "src/ros2_ws/build").exists()
    wrapper = (prefix / "bin/deepracer").read_text()
    assert ". \"/opt/deepracer/src/env.sh\"" in wrapper and (prefix / "bin/deepracer").stat().st_mode & 0o111
    assert (root / "usr/local/bin/deepracer").readlink() == Path("/opt/deepracer/bin/deepracer")
    assert (prefix / "venv").readlink() == Path("/opt/deepracer/src/.venv")
    assert "run `sudo /opt/deepracer/src/scripts/bootstrap.sh` on the car" in result.stdout
    # units installed and enabled
    for unit in UNITS:
        text = (root / "etc/systemd/system" / unit).read_text()
        assert "/opt/deepracer/bin/deepracer" in text
        wants = root / "etc/systemd/system/multi-user.target.wants" / unit
        assert wants.is_symlink() and wants.readlink() == Path("/etc/systemd/system") / unit
    # service account
    assert SERVICE_USER in users(root)
    assert "video:x:" in (root / "etc/group").read_text()
    manifest = json.loads((prefix / "install-manifest.json").read_text())
    assert manifest["service_user_created"] is True and manifest["units"] == list(UNITS)
    # state untouched, missing folders created
    state = root / "opt/aws/deepracer"
    assert (state / "calibration.json").read_text() == '{"throttle_max": 1650000}'
    assert (state / "artifacts" / "AWS Sample").is_dir() and (state / "logs").is_dir()
    # the shipped sample model, ready to load, listed as a sample
    from inference.models import get_model
    from inference.samples import sample_names

    assert get_model(state / "artifacts", "Sample_sim_loop_model").ready
    assert sample_names(state / "artifacts") == {"Sample_sim_loop_model"}
    assert "sample model installed: Sample_sim_loop_model" in result.stdout
    # the owner deletes it: an upgrade does not bring it back
    shutil.rmtree(state / "artifacts" / "Sample_sim_loop_model")

    # upgrade: the built venv is reused, the state is kept, the account is not duplicated
    (prefix / "src/.venv").mkdir()
    (prefix / "src/.venv/marker").write_text("built once")
    (prefix / "src/stale-file-from-the-old-version").write_text("x")
    (state / "artifacts" / "my-model").mkdir()
    result = deepracer_here(capsys, "install", "--root", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (prefix / "src/.venv/marker").read_text() == "built once"
    assert not (prefix / "src/stale-file-from-the-old-version").exists()
    assert (state / "artifacts" / "my-model").is_dir()
    assert not (state / "artifacts" / "Sample_sim_loop_model").exists()
    assert users(root).count(SERVICE_USER) == 1
    assert json.loads((prefix / "install-manifest.json").read_text())["service_user_created"] is True

    # uninstall: everything installed goes, the state stays
    result = deepracer_here(capsys, "uninstall", "--root", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert not prefix.exists()
    assert not (root / "usr/local/bin/deepracer").exists()
    for unit in UNITS:
        assert not (root / "etc/systemd/system" / unit).exists()
        assert not (root / "etc/systemd/system/multi-user.target.wants" / unit).exists()
    assert SERVICE_USER not in users(root)
    assert f"{SERVICE_USER}:" not in (root / "etc/group").read_text()
    assert (state / "calibration.json").read_text() == '{"throttle_max": 1650000}'
    assert (state / "password.txt").exists() and (state / "artifacts" / "my-model").is_dir()


def test_existing_account_is_kept_on_uninstall(root: Path, capsys):
    (root / "etc/passwd").write_text(f"root:x:0:0:root:/root:/bin/bash\n{SERVICE_USER}:x:990:990::/:/usr/sbin/nologin\n")
    (root / "etc/group").write_text(f"root:x:0:\n{SERVICE_USER}:x:990:\n")
    assert deepracer_here(capsys, "install", "--root", str(root)).returncode == 0
    assert deepracer_here(capsys, "uninstall", "--root", str(root)).returncode == 0
    assert SERVICE_USER in users(root)          # it was there before us


def test_custom_prefix_and_bad_arguments(root: Path, tmp_path: Path, capsys):
    result = deepracer_here(capsys, "install", "--root", str(root), "--prefix", "/srv/dr")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ExecStart=/srv/dr/bin/deepracer run --hardware" in (
        root / "etc/systemd/system/deepracer-core.service").read_text()
    assert deepracer_here(capsys, "install", "--root", str(tmp_path / "missing")).returncode == 2
    assert deepracer_here(capsys, "install", "--root", str(root), "--prefix", "relative/path").returncode == 2
    not_a_checkout = tmp_path / "empty"
    not_a_checkout.mkdir()
    result = deepracer_here(capsys, "install", "--root", str(root), "--source", str(not_a_checkout))
    assert result.returncode == 1 and "not a checkout" in result.stdout
