"""`deepracer usb process DIR` does what a plugged-in stick does, for a folder."""

from __future__ import annotations

import json
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


def run_in_process(*args: str) -> int:
    from cli.deepracer import build_parser

    parsed = build_parser().parse_args(list(args))
    return int(parsed.func(parsed) or 0)


def test_failure_exit_code_and_missing_folder(fake_nm, state_dir, tmp_path, capsys):
    stick = make_stick(tmp_path, creds="ssid: Neighbour\npassword: nope12345\n")
    assert run_in_process("usb", "process", str(stick), "--leds", "none") == 1
    assert '(10) Failed to connect to "Neighbour":' in capsys.readouterr().out
    assert run_in_process("usb", "process", str(tmp_path / "nope")) == 2
    assert "is not a folder" in capsys.readouterr().out


def test_nothing_to_do(fake_nm, state_dir, tmp_path, capsys):
    stick = make_stick(tmp_path, files={"music/song.mp3": b"x"})
    assert run_in_process("usb", "process", str(stick), "--leds", "none") == 0
    assert "nothing to do" in capsys.readouterr().out
    assert not (stick / "device-status.txt").exists()


def test_status_with_and_without_a_running_service(usb_run_dir, state_dir, capsys):
    assert run_in_process("usb", "status") == 1
    assert "not running" in capsys.readouterr().out
    usb_run_dir.mkdir(parents=True)
    (usb_run_dir / "status.json").write_text(json.dumps({
        "pid": os.getpid(), "updated": 0, "wifi_busy": True, "models_busy": False, "mounted": ["/dev/sda1"],
        "last": {"drive": "/dev/sdb1", "wifi_ok": True, "ssid": "Home", "models": [{"file": "a.tar.gz",
                                                                                    "status": "installed"}]}}))
    assert run_in_process("usb", "status") == 0
    out = capsys.readouterr().out
    assert "busy with wifi" in out and "mounted: /dev/sda1" in out
    assert "Last drive: /dev/sdb1  Wi-Fi: connected Home" in out and "model a.tar.gz: installed" in out
