"""SSH routes: the simulated car keeps the state in the console's file; the car uses systemctl/ufw/chpasswd."""

from __future__ import annotations

import json
import os
import stat
import sys
import warnings
from pathlib import Path

import pytest

from device_console.host_system import HostSystem
from tests.console.conftest import ConsoleClient

FAKE_TOOL = r'''
import json, os, sys
state_path = os.environ["FAKE_SYS_STATE"]
state = json.load(open(state_path))
name = os.path.basename(sys.argv[0])
args = sys.argv[1:]
state.setdefault("calls", []).append([name, *args])
if name == "systemctl" and args[:1] == ["is-active"]:
    print("active" if state["ssh"] else "inactive")
elif name == "systemctl" and args[:1] in (["start"], ["stop"]):
    state["ssh"] = args[0] == "start"
elif name == "ufw" and args == ["status"]:
    print("Status: active\n\nTo                         Action      From\n--                         ------      ----")
    if state.get("ufw_ssh"):
        print("22/tcp                     ALLOW       Anywhere")
elif name == "ufw" and args == ["allow", "ssh"]:
    state["ufw_ssh"] = True
elif name == "chpasswd":
    state["chpasswd"] = sys.stdin.read()
json.dump(state, open(state_path, "w"))
'''


def test_simulated_ssh(client: ConsoleClient) -> None:
    assert client.get("/api/isSshEnabled").json() == {"success": True, "isSshEnabled": False, "reason": ""}
    assert client.get("/api/enableSsh").json() == {"success": True, "isSshEnabled": True, "reason": ""}
    assert client.get("/api/isSshEnabled").json()["isSshEnabled"] is True
    assert client.get("/api/disableSsh").json() == {"success": True, "isSshEnabled": False, "reason": ""}


def test_simulated_ssh_password(client: ConsoleClient, settings) -> None:
    assert client.get("/api/isSshDefaultPasswordChanged").json() == {
        "success": True, "isDefaultSshPasswordChanged": False, "reason": ""}
    wrong = client.post("/api/resetSshPassword", {"oldPassword": "x", "newPassword": "Secret99"}).json()
    assert wrong == {"success": False, "reason": "The password is incorrect. Provide your current password."}
    assert client.put("/api/resetSshPassword", {"oldPassword": "deepracer", "newPassword": "Secret99"}).json() == {
        "success": True}
    assert client.get("/api/isSshDefaultPasswordChanged").json()["isDefaultSshPasswordChanged"] is True
    assert "Secret99" not in settings.console_state_file.read_text()  # only a digest is kept
    assert client.post("/api/resetSshPassword", {"oldPassword": "Secret99"}).json() == {
        "success": False, "reason": "newPassword is required"}


@pytest.fixture
def fake_system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("systemctl", "ufw", "chpasswd"):
        tool = bin_dir / name
        tool.write_text(f"#!{sys.executable}\n{FAKE_TOOL}")
        tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    state = tmp_path / "sys-state.json"
    state.write_text(json.dumps({"ssh": False}))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_SYS_STATE", str(state))
    return state


def test_host_ssh_uses_systemctl_and_ufw(fake_system: Path) -> None:
    system = HostSystem(shadow_file=fake_system.parent / "shadow")
    assert system.ssh_enabled() is False
    assert system.set_ssh(True) == (True, "")
    assert system.ssh_enabled() is True
    calls = json.loads(fake_system.read_text())["calls"]
    assert ["systemctl", "start", "ssh"] in calls and ["ufw", "allow", "ssh"] in calls
    assert system.set_ssh(False) == (True, "")
    assert system.ssh_enabled() is False


def test_host_ssh_password_checks_the_shadow_hash(fake_system: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt  # Python 3.11: the same libc crypt(3) the console uses
    shadow = fake_system.parent / "shadow"
    shadow.write_text(f"root:*:19000:0:99999:7:::\ndeepracer:{crypt.crypt('deepracer', crypt.mksalt())}:19000::::::\n")
    system = HostSystem(shadow_file=shadow)
    assert system.ssh_default_password_changed() is False
    assert system.reset_ssh_password("wrong", "New1")[0] is False
    assert system.reset_ssh_password("deepracer", "New1") == (True, "")
    assert json.loads(fake_system.read_text())["chpasswd"] == "deepracer:New1\n"
