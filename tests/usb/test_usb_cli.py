"""`deepracer usb process DIR` does what a plugged-in stick does, for a folder."""

from __future__ import annotations

import os
import subprocess
import sys

from inference.models import list_models
from tests.usb.conftest import make_stick, tiny_model_archive


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.deepracer", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=60)


def test_process_folder_with_creds_and_models(fake_nm, state_dir, tmp_path):
    stick = make_stick(tmp_path, creds="ssid: 'Your-WiFi 100'\npassword: 'Passwd1234'\n")
    tiny_model_archive(stick / "models" / "lap.tar.gz")
    result = run_cli("usb", "process", str(stick), "--leds", "none", env=fake_nm.env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'Successfully connected to "Your-WiFi 100":' in result.stdout
    assert 'Model lap.tar.gz: installed as "lap".' in result.stdout
    assert f"Report written to {stick / 'device-status.txt'}" in result.stdout
    assert "Passwd1234" not in result.stdout + result.stderr
    assert [m.name for m in list_models(state_dir / "artifacts")] == ["lap"]


def test_failure_exit_code_and_missing_folder(fake_nm, state_dir, tmp_path):
    stick = make_stick(tmp_path, creds="ssid: Neighbour\npassword: nope12345\n")
    result = run_cli("usb", "process", str(stick), "--leds", "none", env=fake_nm.env())
    assert result.returncode == 1
    assert '(10) Failed to connect to "Neighbour":' in result.stdout
    missing = run_cli("usb", "process", str(tmp_path / "nope"), env=fake_nm.env())
    assert missing.returncode == 2 and "is not a folder" in missing.stdout


def test_status_without_a_running_service(usb_run_dir, state_dir):
    result = run_cli("usb", "status", env={})
    assert result.returncode == 1
    assert "not running" in result.stdout
