"""`device-status.txt`: the report written back to the USB drive, in the original format.

One block per car, blocks separated by a blank line. Writing keeps the blocks of other cars and
replaces the block of this car (matched on its `Hostname:` line), so one drive can set up a whole
classroom of cars and tell each car's IP address:

    Hostname: amss-1234
    Timestamp: 11/21/26 22:45:01
    Successfully connected to "Home Wi-Fi":
    Device 'wlan0' successfully activated with '7d5c...'.
    Connected to WiFi network: Home Wi-Fi
    Active connections:
      wlan0: 192.168.1.23
    <blank line>
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

DEVICE_STATUS_NAME = "device-status.txt"


def _same_host(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def remove_host_block(text: str, hostname: str) -> list[str]:
    """Lines of `text` without the block of `hostname` (the blank line ending it included)."""
    kept: list[str] = []
    skipping = False
    for raw in text.lstrip("\ufeff").splitlines():
        line = raw.rstrip()
        if skipping and line == "":
            skipping = False
            continue
        if line.lstrip().startswith("Hostname:"):
            skipping = _same_host(line.split(":", 1)[1], hostname)
        if not skipping:
            kept.append(line)
    return kept


def _safe_report_line(line: str) -> str | None:
    line = line.rstrip()
    if not line.strip():
        return None  # a blank line would end the block early
    if line.lstrip().startswith("Hostname:"):
        return "  " + line.lstrip().replace("Hostname:", "Hostname -", 1)
    return line


def render_block(hostname: str, timestamp: str, report: Iterable[str], ssid: str,
                 connections: Sequence[tuple[str, str]]) -> list[str]:
    lines = [f"Hostname: {hostname}", f"Timestamp: {timestamp}"]
    for line in report:
        safe = _safe_report_line(line)
        if safe is not None:
            lines.append(safe)
    lines.append(f"Connected to WiFi network: {ssid}" if ssid else "Not connected to WiFi network.")
    if connections:
        lines.append("Active connections:")
        lines.extend(f"  {iface}: {ip}" for iface, ip in connections)
    lines.append("")
    return lines


def merge(existing: str, hostname: str, block: Sequence[str]) -> str:
    newline = "\r\n" if "\r\n" in existing else "\n"
    lines = remove_host_block(existing, hostname) + list(block)
    return newline.join(lines) + newline


def write_stick_file(path: Path, text: str) -> None:
    """Replace a file on a USB drive so a pulled drive holds the old or the new file, never half.

    Temp file in the same folder, fsync, rename, fsync the folder. Permissions are best effort
    (FAT has none; on ext4 sticks the file stays editable by the user, like the original's 666).
    """
    data = text.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.chmod(tmp, 0o666)
        except OSError:
            pass
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def write_device_status(root: Path, hostname: str, timestamp: str, report: Iterable[str], ssid: str,
                        connections: Sequence[tuple[str, str]], secrets: Iterable[str] = ()) -> Path:
    """Merge this car's block into `<root>/device-status.txt`; returns the file written.

    `secrets` (the passwords read from the drive) are masked should any report line contain one.
    """
    path = root / DEVICE_STATUS_NAME
    try:
        existing = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        existing = ""
    block = render_block(hostname, timestamp, report, ssid, connections)
    text = merge(existing, hostname, block)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "********")
    write_stick_file(path, text)
    return path
