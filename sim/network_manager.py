"""The simulated car's NetworkManager: `nmcli` and `iwgetid` executables put first on PATH that
record their arguments and answer like the real tools (NetworkManager 1.36+ wording and exit codes)
from a JSON state file. `deepracer run --sim` installs them so the console's Wi-Fi page and the USB
provisioner work on a laptop without touching its real Wi-Fi; the tests use them as a fake nmcli.

State (`SimNetworkManager.state`, saved with `.save()`):
    wifi_iface   "wlan0"                      the Wi-Fi device (never mlan0 unless a test says so)
    devices      [[name, type, state], ...]   `nmcli device`
    networks     [{"ssid", "password", "signal", "security"}]   visible networks
    connected    SSID or null
    wifi_ip      address the Wi-Fi device gets when connected
    addresses    {iface: ipv4} of other interfaces (lo, eth0, usb0 ...)
    profiles     [{"name", "type", "psk"}]    stored connection profiles
    iwgetid      false -> no iwgetid on PATH (Ubuntu 24.04 without wireless-tools)

Exit codes: 0 ok, 4 activation failed (wrong password), 10 not found.
A stored profile whose psk is wrong is reused by `device wifi connect` and fails with the secrets
error whatever password is given (the stale-profile trap of the original car).
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

NMCLI = r'''
import json, os, sys, uuid

STATE = os.environ["SIM_NM_STATE"]
LOG = os.environ["SIM_NM_LOG"]

def load():
    with open(STATE) as f:
        return json.load(f)

def save(state):
    tmp = STATE + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f)
    os.replace(tmp, STATE)

def esc(value):
    return str(value).replace("\\", "\\\\").replace(":", "\\:")

def out(rows, terse):
    for row in rows:
        if terse:
            print(":".join(esc(v) for v in row))
        else:
            print("  ".join(str(v) for v in row))

def fail(message, code):
    print(message, file=sys.stderr)
    sys.exit(code)

argv = sys.argv[1:]
with open(LOG, "a") as f:
    f.write(json.dumps(["nmcli", *argv]) + "\n")

terse = False
fields = None
while argv and argv[0].startswith("-"):
    opt = argv.pop(0)
    if opt in ("-t", "--terse"):
        terse = True
    elif opt in ("-f", "--fields"):
        fields = argv.pop(0).split(",")
    elif opt in ("-e", "--escape", "-c", "--colors"):
        argv.pop(0)
    else:
        fail(f"Error: Option '{opt}' is unknown, try 'nmcli help'.", 2)

state = load()
iface = state["wifi_iface"]
words = argv

def device_rows():
    rows = []
    for name, kind, st in state["devices"]:
        if name == iface:
            st = "connected" if state.get("connected") else "disconnected"
        rows.append([name, kind, st])
    return rows

if words[:1] == ["device"] and len(words) == 1:
    want = fields or ["DEVICE", "TYPE", "STATE"]
    idx = {"DEVICE": 0, "TYPE": 1, "STATE": 2}
    out([[r[idx[f]] for f in want] for r in device_rows()], terse)
elif words[:3] == ["device", "wifi", "list"]:
    rest = words[3:]
    if "ifname" in rest and rest[rest.index("ifname") + 1] != iface:
        fail(f"Error: Device '{rest[rest.index('ifname') + 1]}' not found.", 10)
    want = fields or ["SSID", "SIGNAL", "SECURITY"]
    rows = []
    for net in state["networks"]:
        values = {"SSID": net["ssid"], "SIGNAL": net.get("signal", 50), "SECURITY": net.get("security", "WPA2"),
                  "ACTIVE": "yes" if net["ssid"] == state.get("connected") else "no"}
        rows.append([values[f] for f in want])
    out(rows, terse)
elif words[:3] == ["device", "wifi", "connect"]:
    ssid = words[3]
    rest = words[4:]
    password = rest[rest.index("password") + 1] if "password" in rest else None
    if "ifname" in rest and rest[rest.index("ifname") + 1] != iface:
        fail(f"Error: Device '{rest[rest.index('ifname') + 1]}' not found.", 10)
    net = next((n for n in state["networks"] if n["ssid"] == ssid), None)
    if net is None:
        fail(f"Error: No network with SSID '{ssid}' found.", 10)
    profile = next((p for p in state["profiles"] if p["name"] == ssid), None)
    if profile is not None and profile.get("psk") is not None and profile.get("psk") != net.get("password"):
        fail("Error: Connection activation failed: (7) Secrets were required, but not provided.", 4)
    if profile is None:
        profile = {"name": ssid, "type": "802-11-wireless", "psk": password}
        state["profiles"].append(profile)
        save(state)
    if net.get("password") and password != net.get("password"):
        fail("Error: Connection activation failed: (7) Secrets were required, but not provided.", 4)
    profile["psk"] = password
    state["connected"] = ssid
    save(state)
    print(f"Device '{iface}' successfully activated with '{uuid.uuid4()}'.")
elif words[:2] == ["connection", "show"]:
    want = fields or ["NAME", "TYPE"]
    out([[p["name"] if f == "NAME" else p["type"] for f in want] for p in state["profiles"]], terse)
elif words[:2] == ["connection", "delete"]:
    name = words[3] if len(words) > 3 and words[2] == "id" else words[2]
    before = len(state["profiles"])
    state["profiles"] = [p for p in state["profiles"] if p["name"] != name]
    if len(state["profiles"]) == before:
        fail(f"Error: unknown connection '{name}'.", 10)
    if state.get("connected") == name:
        state["connected"] = None
    save(state)
    print(f"Connection '{name}' ({uuid.uuid4()}) successfully deleted.")
elif words[:2] == ["device", "show"]:
    blocks = []
    for name, kind, _st in device_rows():
        address = state["addresses"].get(name)
        if name == iface:
            address = state.get("wifi_ip") if state.get("connected") else None
        lines = [f"GENERAL.DEVICE:{esc(name)}"]
        if address:
            lines.append(f"IP4.ADDRESS[1]:{address}/24")
        blocks.append("\n".join(lines))
    print("\n\n".join(blocks))
else:
    fail(f"Error: argument '{' '.join(words)}' not understood by the fake nmcli.", 2)
'''

IWGETID = r'''
import json, os, sys
with open(os.environ["SIM_NM_LOG"], "a") as f:
    f.write(json.dumps(["iwgetid", *sys.argv[1:]]) + "\n")
with open(os.environ["SIM_NM_STATE"]) as f:
    state = json.load(f)
if sys.argv[1:] != ["-r"]:
    sys.exit(1)
if not state.get("connected"):
    sys.exit(255)
print(state["connected"])
'''


def default_state() -> dict[str, Any]:
    return {
        "wifi_iface": "wlan0",
        "devices": [["wlan0", "wifi", "disconnected"], ["eth0", "ethernet", "unavailable"],
                    ["usb0", "ethernet", "unmanaged"], ["lo", "loopback", "unmanaged"]],
        "networks": [
            {"ssid": "Your-WiFi 100", "password": "Passwd1234", "signal": 82, "security": "WPA2"},
            {"ssid": " MyHomeWi-Fi", "password": "myWiFiPassword", "signal": 64, "security": "WPA2"},
            {"ssid": "Cafe:5G", "password": "", "signal": 40, "security": ""},
            {"ssid": "Your-WiFi 100", "password": "Passwd1234", "signal": 30, "security": "WPA2"},
        ],
        "connected": None,
        "wifi_ip": "192.168.1.23",
        "addresses": {"lo": "127.0.0.1", "usb0": "10.0.0.1"},
        "profiles": [{"name": "Wired connection 1", "type": "802-3-ethernet", "psk": None}],
        "iwgetid": True,
    }


def sim_car_state() -> dict[str, Any]:
    """What the simulated car sees: a track network it is connected to and two more."""
    state = default_state()
    state["networks"] = [
        {"ssid": "DeepRacer-Track", "password": "deepracer", "signal": 90, "security": "WPA2"},
        {"ssid": "Pit-Lane", "password": "pitlane123", "signal": 55, "security": "WPA2"},
        {"ssid": "Guest", "password": "", "signal": 30, "security": ""},
    ]
    state["connected"] = "DeepRacer-Track"
    state["devices"][0][2] = "connected"
    state["wifi_ip"] = "192.0.2.10"  # TEST-NET-1: documentation address, never routed
    state["profiles"].append({"name": "DeepRacer-Track", "type": "802-11-wireless", "psk": "deepracer"})
    return state


class SimNetworkManager:
    def __init__(self, root: Path, state: dict[str, Any] | None = None, keep_state: bool = False) -> None:
        self.root = Path(root)
        self.bin = self.root / "bin"
        self.bin.mkdir(parents=True, exist_ok=True)
        self.state_path = self.root / "nm-state.json"
        self.log_path = self.root / "nm-calls.jsonl"
        if not (keep_state and self.log_path.exists()):
            self.log_path.write_text("")
        if keep_state and self.state_path.exists():
            self.state = json.loads(self.state_path.read_text())
        else:
            self.state = state if state is not None else default_state()
        self._write_tool("nmcli", NMCLI)
        self.save()

    def _write_tool(self, name: str, body: str) -> None:
        path = self.bin / name
        path.write_text(f"#!{sys.executable} -IS\n{body}")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)

    def save(self) -> None:
        self.state_path.write_text(json.dumps(self.state))
        iw = self.bin / "iwgetid"
        if self.state.get("iwgetid", True):
            if not iw.exists():
                self._write_tool("iwgetid", IWGETID)
        elif iw.exists():
            iw.unlink()

    def load(self) -> dict[str, Any]:
        self.state = json.loads(self.state_path.read_text())
        return self.state

    def env(self) -> dict[str, str]:
        return {"PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
                "SIM_NM_STATE": str(self.state_path), "SIM_NM_LOG": str(self.log_path)}

    def calls(self) -> list[list[str]]:
        return [json.loads(line) for line in self.log_path.read_text().splitlines() if line.strip()]

    def connect_calls(self) -> list[list[str]]:
        return [c for c in self.calls() if c[:4] == ["nmcli", "device", "wifi", "connect"]]

    def logged_text(self) -> str:
        return self.log_path.read_text()


FakeNetworkManager = SimNetworkManager  # the name the tests use
