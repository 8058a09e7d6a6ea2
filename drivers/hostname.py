"""The car's name on the network: from the chassis serial on the first boot, the owner's ever after.

The original car set its hostname to the chassis serial at every start, so a name the owner (or a
fleet manager's activation script) chose was lost at the next boot or package update. Here the
serial is used once: `first_boot()` runs at the stack's first start (`deepracer hostname first-boot`,
from `deepracer-core.service`), renames the car only if it still has a factory name, and records
that it ran (`<state>/hostname.json`); from then on the hostname is never touched again except by
`deepracer hostname set NAME`.

The serial is read where fleet tools read it: `<sysfs>/class/dmi/id/chassis_serial`, then
`<sysfs>/firmware/devicetree/base/serial-number`, then `Serial` in `/proc/cpuinfo`; placeholder
values (`Default string`, `To Be Filled By O.E.M.`, all zeros) do not count. Names follow RFC 1123
labels and never contain `_` (the fleet manager splits log file names on it).

Backends as every driver: `HostHostname` (`hostnamectl set-hostname` found on PATH, and the
`127.0.1.1` line of `/etc/hosts`) and `SimulatedHostname` (a JSON file of the simulated car).
"""

from __future__ import annotations

import errno
import json
import logging
import re
import shutil
import socket
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from runtime.atomic import atomic_write_json, atomic_write_text
from runtime.paths import dmi_dir, hardware_mode, state_dir, sysfs_root

log = logging.getLogger(__name__)

FACTORY_NAMES = frozenset({"", "deepracer", "ubuntu", "localhost", "localhost.localdomain", "raspberrypi",
                           "aws-deepracer"})
_PLACEHOLDERS = frozenset({"defaultstring", "tobefilledbyo.e.m.", "none", "notspecified", "notapplicable",
                           "systemserialnumber", "chassisserialnumber", "0123456789", "123456789"})
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


class HostnameError(RuntimeError):
    """A name that is not a valid hostname, or the system refused the change."""


def _clean(value: str) -> str:
    return value.replace("\0", "").strip()


def _usable_serial(value: str) -> bool:
    squashed = re.sub(r"\s+", "", value).lower()
    return bool(squashed) and squashed not in _PLACEHOLDERS and set(squashed) not in ({"0"}, {"f"}, {"x"})


def chassis_serial(root: Path | None = None, cpuinfo: Path = Path("/proc/cpuinfo")) -> str | None:
    """The car's serial number (DMI, device tree, then the CPU's), None if it has none."""
    base = root if root is not None else sysfs_root()
    dmi = dmi_dir() if root is None else root / "class" / "dmi" / "id"
    for path in (dmi / "chassis_serial", base / "firmware" / "devicetree" / "base" / "serial-number"):
        try:
            value = _clean(path.read_bytes().decode("utf-8", errors="replace"))
        except OSError:
            continue
        if _usable_serial(value):
            return value
    try:
        for line in cpuinfo.read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Serial" and _usable_serial(value):
                return value.strip()
    except OSError:
        pass
    return None


def hostname_from_serial(serial: str) -> str | None:
    """The original's rule (lower-case, spaces become `-`) made a valid label: other characters
    become `-`, at most 63 characters; None when nothing usable is left."""
    name = re.sub(r"[^a-z0-9-]+", "-", serial.strip().lower().replace(" ", "-"))
    name = re.sub(r"-{2,}", "-", name).strip("-")[:63].rstrip("-")
    return name if _LABEL.match(name) else None


def check_hostname(name: str) -> str:
    """The name if it is a valid hostname for the car (one RFC 1123 label, no `_`), else HostnameError."""
    candidate = name.strip()
    if not _LABEL.match(candidate):
        raise HostnameError(f"{name!r} is not a valid car name: use 1 to 63 lower-case letters, digits and '-', "
                            "not starting or ending with '-' (no '_', no dots)")
    return candidate


class HostnameBackend(Protocol):
    def current(self) -> str: ...

    def set(self, name: str) -> None: ...


class HostHostname:
    """The car's operating system: `hostnamectl` (persistent) and `/etc/hosts` (`sudo` finds itself)."""

    def __init__(self, hosts_file: Path = Path("/etc/hosts")) -> None:
        self.hosts_file = hosts_file

    def current(self) -> str:
        return socket.gethostname()

    def set(self, name: str) -> None:
        tool = shutil.which("hostnamectl")
        if tool is None:
            raise HostnameError("hostnamectl not found (package systemd)")
        try:
            done = subprocess.run([tool, "set-hostname", name], capture_output=True, text=True, timeout=20, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise HostnameError(f"hostnamectl failed: {exc}") from exc
        if done.returncode != 0:
            raise HostnameError(f"hostnamectl failed: {(done.stderr or done.stdout).strip()}")
        self._update_hosts(name)

    def _update_hosts(self, name: str) -> None:
        try:
            text = self.hosts_file.read_text()
        except OSError:
            return
        lines = [line for line in text.splitlines() if not line.split("#", 1)[0].split()[:1] == ["127.0.1.1"]]
        lines.append(f"127.0.1.1\t{name}")
        text = "\n".join(lines) + "\n"
        try:
            atomic_write_text(self.hosts_file, text, mode=0o644)
        except OSError as exc:
            if exc.errno != errno.EBUSY:
                raise
            self.hosts_file.write_text(text)  # bind-mounted (a container): it cannot be replaced


class SimulatedHostname:
    """The simulated car's name, kept in a file; the laptop's own name is never changed."""

    def __init__(self, path: Path, initial: str = "deepracer") -> None:
        self.path = path
        self.initial = initial

    def current(self) -> str:
        try:
            return str(json.loads(self.path.read_text())["hostname"])
        except (OSError, ValueError, KeyError, TypeError):
            return self.initial

    def set(self, name: str) -> None:
        atomic_write_json(self.path, {"hostname": name})


def default_backend() -> HostnameBackend:
    if hardware_mode() == "sim":
        return SimulatedHostname(state_dir() / "sim" / "hostname.json")
    return HostHostname()


def marker_file() -> Path:
    return state_dir() / "hostname.json"


@dataclass(frozen=True)
class FirstBoot:
    action: str    # "renamed", "kept" (the owner's name), "no-serial", "done-before"
    hostname: str
    serial: str | None = None


def _record(marker: Path, result: FirstBoot) -> None:
    atomic_write_json(marker, {"first_boot": result.action, "hostname": result.hostname, "serial": result.serial,
                               "time": datetime.now(timezone.utc).isoformat(timespec="seconds")})


def first_boot(backend: HostnameBackend | None = None, marker: Path | None = None,
               serial: str | None = None) -> FirstBoot:
    """Name the car after its chassis serial, once, and only if it still has a factory name."""
    backend = backend or default_backend()
    marker = marker or marker_file()
    current = backend.current()
    if marker.exists():
        return FirstBoot("done-before", current)
    serial = serial if serial is not None else chassis_serial()
    wanted = hostname_from_serial(serial) if serial else None
    if wanted is None:
        result = FirstBoot("no-serial", current, serial)
    elif current.strip().lower() not in FACTORY_NAMES or current == wanted:
        result = FirstBoot("kept", current, serial)
    else:
        backend.set(wanted)
        log.info("car named %s after its chassis serial", wanted)
        result = FirstBoot("renamed", wanted, serial)
    _record(marker, result)
    return result


def set_hostname(name: str, backend: HostnameBackend | None = None, marker: Path | None = None) -> str:
    """The owner's choice: set it, and make sure the serial never overrides it."""
    name = check_hostname(name)
    backend = backend or default_backend()
    backend.set(name)
    _record(marker or marker_file(), FirstBoot("kept", name, chassis_serial()))
    return name
