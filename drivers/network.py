"""Wi-Fi and IP status of the car through NetworkManager's `nmcli` (and `iwgetid`), found on PATH.

The car's network layer, used by the USB provisioner, the network monitor node and the device console
(Wi-Fi page and `/api/get_network_details`), so all three tell the same story. Tests put fake
`nmcli`/`iwgetid` scripts first on PATH.

Differences from the original, on purpose:
- the Wi-Fi interface is detected (`nmcli device`), never the hard-coded `mlan0`;
- terse nmcli output is parsed with its escaping (`\\:`), so SSIDs with colons survive;
- a profile left behind by a failed attempt is deleted, so the next attempt starts clean;
- passwords never appear in any returned message, log line or exception text.

Like the original, the password is handed to nmcli on its command line (`nmcli device wifi connect`
has no other way); it is visible in the process list for the second the command runs, to local
users only.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

#: Addresses of the car's own USB (OTG) Ethernet gadget; not a way to reach the car from a network.
OTG_ADDRESSES = frozenset({"10.0.0.1", "10.0.1.1"})

NMCLI_TIMEOUT_S = 10.0
CONNECT_TIMEOUT_S = 90.0


class NetworkToolError(RuntimeError):
    """nmcli is missing or did not answer."""


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        """Non-empty output lines, stdout first, as the original report shows them."""
        text = (self.stdout + "\n" + self.stderr).replace("\r", "\n")
        return [line.strip() for line in text.split("\n") if line.strip()]


@dataclass(frozen=True)
class ConnectResult:
    """Outcome of one connection attempt; `lines` are nmcli's own answer (never the password)."""

    ok: bool
    ssid: str
    returncode: int
    lines: list[str] = field(default_factory=list)
    wrong_password: bool = False
    ssid_not_found: bool = False

    @property
    def message(self) -> str:
        return "\n".join(self.lines)


def _run(argv: Sequence[str], timeout: float = NMCLI_TIMEOUT_S, secret: str | None = None) -> CommandResult:
    exe = shutil.which(argv[0])
    if exe is None:
        raise NetworkToolError(f"{argv[0]} not found on PATH")
    env = dict(os.environ)
    env["LC_ALL"] = "C"  # nmcli answers are parsed; keep them in English
    try:
        proc = subprocess.run([exe, *argv[1:]], capture_output=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise NetworkToolError(f"{argv[0]} {_redact(argv[1:3], secret)} did not answer within {timeout:.0f} s") from exc
    except OSError as exc:
        raise NetworkToolError(f"{argv[0]} could not be started: {exc}") from exc
    out = proc.stdout.decode("utf-8", errors="replace")
    err = proc.stderr.decode("utf-8", errors="replace")
    if secret:
        out, err = out.replace(secret, "********"), err.replace(secret, "********")
    return CommandResult(proc.returncode, out, err)


def _redact(parts: Sequence[str], secret: str | None) -> str:
    text = " ".join(parts)
    return text.replace(secret, "********") if secret else text


def split_terse(line: str) -> list[str]:
    """Split one line of `nmcli -t` output at unescaped colons; unescape `\\:` and `\\\\`."""
    fields: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            current.append(line[i + 1])
            i += 2
            continue
        if ch == ":":
            fields.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    fields.append("".join(current))
    return fields


def _nmcli(*args: str, timeout: float = NMCLI_TIMEOUT_S, secret: str | None = None) -> CommandResult:
    return _run(["nmcli", *args], timeout=timeout, secret=secret)


def nmcli_available() -> bool:
    return shutil.which("nmcli") is not None


# -- interfaces -----------------------------------------------------------------------------------

def devices() -> list[tuple[str, str, str]]:
    """(device, type, state) of every device NetworkManager knows, e.g. ("wlan0", "wifi", "connected")."""
    result = _nmcli("-t", "-f", "DEVICE,TYPE,STATE", "device")
    if result.returncode != 0:
        raise NetworkToolError(f"nmcli device failed: {' '.join(result.lines) or result.returncode}")
    rows = []
    for line in result.stdout.splitlines():
        if not line.strip():
            continue
        parts = split_terse(line)
        while len(parts) < 3:
            parts.append("")
        rows.append((parts[0], parts[1], parts[2]))
    return rows


def wifi_interface() -> str | None:
    """The Wi-Fi interface NetworkManager manages (`wlan0`, `mlan0`, `wlp2s0`...), None if there is none."""
    try:
        for name, kind, state in devices():
            if kind == "wifi" and state != "unmanaged":
                return name
    except NetworkToolError as exc:
        log.debug("no Wi-Fi interface from nmcli: %s", exc)
    return None


# -- current state --------------------------------------------------------------------------------

def current_ssid() -> str:
    """SSID the car is associated with ("" when none): `iwgetid -r` like the original, else nmcli."""
    if shutil.which("iwgetid"):
        try:
            result = _run(["iwgetid", "-r"], timeout=5.0)
            if result.returncode == 0:
                return result.stdout.strip("\r\n")
        except NetworkToolError:
            pass
        return ""
    try:
        result = _nmcli("-t", "-f", "ACTIVE,SSID", "device", "wifi", "list", "--rescan", "no")
    except NetworkToolError:
        return ""
    if result.returncode != 0:
        return ""
    for line in result.stdout.splitlines():
        parts = split_terse(line)
        if len(parts) >= 2 and parts[0] == "yes":
            return parts[1]
    return ""


def interface_addresses() -> list[tuple[str, str]]:
    """(interface, IPv4) of every interface with a non-loopback IPv4 address, in nmcli's order."""
    try:
        result = _nmcli("-t", "-f", "GENERAL.DEVICE,IP4.ADDRESS", "device", "show")
    except NetworkToolError:
        return _interface_addresses_from_kernel()
    if result.returncode != 0:
        return _interface_addresses_from_kernel()
    pairs: list[tuple[str, str]] = []
    device = ""
    for line in result.stdout.splitlines():
        parts = split_terse(line)
        if len(parts) < 2:
            continue
        key, value = parts[0], ":".join(parts[1:])
        if key == "GENERAL.DEVICE":
            device = value
        elif key.startswith("IP4.ADDRESS") and value:
            address = value.split("/", 1)[0].strip()
            if _is_reachable_ipv4(address):
                pairs.append((device, address))
    return pairs


def _interface_addresses_from_kernel() -> list[tuple[str, str]]:
    """Without NetworkManager (a laptop running the simulated car): the kernel's view via psutil."""
    try:
        import socket

        import psutil

        pairs = []
        for name, addrs in psutil.net_if_addrs().items():
            for addr in addrs:
                if addr.family == socket.AF_INET and _is_reachable_ipv4(addr.address):
                    pairs.append((name, addr.address))
        return pairs
    except Exception:  # psutil missing or unreadable /proc: report nothing rather than fail
        return []


def _is_reachable_ipv4(address: str) -> bool:
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return not ip.is_loopback


def ip_addresses() -> list[str]:
    """Non-loopback IPv4 addresses, without the USB (OTG) gadget's 10.0.0.1/10.0.1.1."""
    seen: list[str] = []
    for _iface, address in interface_addresses():
        if address not in OTG_ADDRESSES and address not in seen:
            seen.append(address)
    return seen


def network_connected() -> bool:
    """True when the car has an address on some network other than its own USB gadget."""
    return bool(ip_addresses())


# -- scanning -------------------------------------------------------------------------------------

def scan_networks(rescan: str = "auto") -> list[dict[str, object]]:
    """Visible Wi-Fi networks like `/api/available_wifi_info`: `{"ssid", "strength", "security_info"}`.

    strength = floor(1 + signal / 30) (1..4) as the original; one entry per SSID (strongest), hidden
    networks skipped, strongest first.
    """
    args = ["-t", "-f", "SSID,SIGNAL,SECURITY", "device", "wifi", "list"]
    iface = wifi_interface()
    if iface:
        args += ["ifname", iface]
    args += ["--rescan", rescan]
    try:
        result = _nmcli(*args, timeout=30.0)
    except NetworkToolError as exc:
        log.warning("Wi-Fi scan failed: %s", exc)
        return []
    if result.returncode != 0:
        log.warning("Wi-Fi scan failed: %s", " ".join(result.lines))
        return []
    best: dict[str, tuple[int, str]] = {}
    for line in result.stdout.splitlines():
        parts = split_terse(line)
        if len(parts) < 2:
            continue
        ssid = parts[0]
        if ssid in ("", "--"):
            continue
        try:
            signal = int(parts[1])
        except ValueError:
            continue
        security = parts[2] if len(parts) > 2 else ""
        if ssid not in best or signal > best[ssid][0]:
            best[ssid] = (signal, security)
    ordered = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
    return [{"ssid": ssid, "strength": int(1 + signal // 30), "security_info": security}
            for ssid, (signal, security) in ordered]


def visible_ssids() -> list[str]:
    return [str(net["ssid"]) for net in scan_networks()]


# -- connecting -----------------------------------------------------------------------------------

def connection_profiles() -> list[tuple[str, str]]:
    """(name, type) of every stored NetworkManager connection profile."""
    try:
        result = _nmcli("-t", "-f", "NAME,TYPE", "connection", "show")
    except NetworkToolError:
        return []
    if result.returncode != 0:
        return []
    rows = []
    for line in result.stdout.splitlines():
        parts = split_terse(line)
        if len(parts) >= 2 and parts[0]:
            rows.append((parts[0], parts[1]))
    return rows


def wifi_configured() -> bool | None:
    """A Wi-Fi network is set up on the car: associated now, or a Wi-Fi profile stored. None when
    NetworkManager did not answer (unknown: callers should not assume a new car)."""
    if current_ssid():
        return True
    try:
        result = _nmcli("-t", "-f", "NAME,TYPE", "connection", "show")
    except NetworkToolError:
        return None
    if result.returncode != 0:
        return None
    return any(len(parts) >= 2 and _is_wifi(parts[1]) for parts in map(split_terse, result.stdout.splitlines()))


def delete_profile(name: str) -> bool:
    try:
        return _nmcli("connection", "delete", "id", name).returncode == 0
    except NetworkToolError:
        return False


def connect_detailed(ssid: str, password: str = "", interface: str | None = None) -> ConnectResult:
    """`nmcli device wifi connect <ssid> [password <pw>] [ifname <iface>]` on the detected interface.

    Success = exit code 0 and no output line containing "error" (the original rule). A profile that
    this attempt created and that failed to activate is deleted again; a stored profile of the same
    name whose secrets were refused is replaced once (the user just gave the password to use).
    """
    if not ssid:
        return ConnectResult(False, ssid, -1, ["No SSID given."])
    iface = interface if interface is not None else wifi_interface()
    result = _attempt(ssid, password, iface)
    if not result.ok and result.wrong_password and password:
        stale = [name for name, kind in connection_profiles() if name == ssid and _is_wifi(kind)]
        if stale:
            log.info("replacing the stored profile %r whose secrets were refused", ssid)
            delete_profile(ssid)
            result = _attempt(ssid, password, iface)
    return result


def _is_wifi(kind: str) -> bool:
    return kind in ("802-11-wireless", "wifi")


def _attempt(ssid: str, password: str, iface: str | None) -> ConnectResult:
    args = ["device", "wifi", "connect", ssid]
    if password:
        args += ["password", password]
    if iface:
        args += ["ifname", iface]
    before = {name for name, _kind in connection_profiles()}
    try:
        result = _nmcli(*args, timeout=CONNECT_TIMEOUT_S, secret=password or None)
    except NetworkToolError as exc:
        return ConnectResult(False, ssid, -1, [str(exc)])
    lines = result.lines
    ok = result.returncode == 0 and not any("error" in line.lower() for line in lines)
    text = " ".join(lines).lower()
    wrong_password = not ok and ("secrets were required" in text or ("password" in text and "invalid" in text))
    not_found = not ok and "no network with ssid" in text
    if not ok:
        for name, kind in connection_profiles():
            if name not in before and name.startswith(ssid) and _is_wifi(kind):
                delete_profile(name)
    return ConnectResult(ok, ssid, result.returncode, lines, wrong_password, not_found)


def connect(ssid: str, password: str) -> tuple[bool, str]:
    """Connect the Wi-Fi interface to `ssid`: (ok, message). The password is never part of the message.

    Already associated with `ssid` counts as success without touching the connection.
    """
    if ssid and current_ssid() == ssid:
        return True, f'Already connected to "{ssid}".'
    result = connect_detailed(ssid, password)
    return result.ok, result.message
