"""Operating-system settings the console exposes: SSH, its password, and the time zone.

Two backends behind one small interface, like the hardware drivers:
- `HostSystem` (the real car): `systemctl`, `ufw`, `chpasswd`, `timedatectl` found on PATH
  (tests put fakes first on PATH).
- `SimulatedSystem` (the simulated car on a laptop): the same behaviour kept in a JSON file of the
  console's state, so `make run` never touches the developer's SSH server or clock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import subprocess
import threading
import warnings
import zoneinfo
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from runtime.atomic import atomic_write_json

SSH_USER = "deepracer"
DEFAULT_SSH_PASSWORD = "deepracer"
DEFAULT_TIMEZONE = "UTC"


class System(Protocol):
    def ssh_enabled(self) -> bool: ...

    def set_ssh(self, enabled: bool) -> tuple[bool, str]: ...

    def ssh_default_password_changed(self) -> bool: ...

    def reset_ssh_password(self, old_password: str, new_password: str) -> tuple[bool, str]: ...

    def timezone(self) -> str: ...

    def timezones(self) -> set[str]: ...

    def set_timezone(self, name: str) -> tuple[bool, str]: ...


def time_info(tz_name: str) -> dict[str, Any]:
    """The `/api/get_time` fields for the given zone."""
    try:
        zone: Any = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone, tz_name = zoneinfo.ZoneInfo("UTC"), "UTC"
    now = datetime.now(zone)
    return {
        "time": now.strftime("%Y-%m-%d %H:%M:%S"),
        "timezone": tz_name,
        "timezone_abbr": now.strftime("%Z"),
        "utc_offset": now.strftime("%z"),
        "timezone_changed": tz_name not in (DEFAULT_TIMEZONE, "Etc/UTC"),
    }


def _run(cmd: list[str], timeout: float = 20.0, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=stdin)


def _password_matches(stored_hash: str, password: str) -> bool:
    if not stored_hash or stored_hash[0] in "!*":
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import crypt  # libc crypt(3): SHA-512 and yescrypt hashes of /etc/shadow
        except ImportError:  # pragma: no cover - Python >= 3.13
            crypt = None  # type: ignore[assignment]
    if crypt is not None:
        return crypt.crypt(password, stored_hash) == stored_hash
    parts = stored_hash.split("$")
    if len(parts) >= 4 and parts[1] in ("1", "5", "6"):
        done = _run(["openssl", "passwd", f"-{parts[1]}", "-salt", parts[2], password])
        return done.stdout.strip() == stored_hash
    return False


class HostSystem:
    """The real car (the console runs as root, as the original)."""

    def __init__(self, shadow_file: Path = Path("/etc/shadow")) -> None:
        self.shadow_file = shadow_file

    def ssh_enabled(self) -> bool:
        try:
            active = _run(["systemctl", "is-active", "ssh"]).stdout.strip() == "active"
            if not active:
                return False
            if shutil.which("ufw") is None:
                return True
            status = _run(["ufw", "status"]).stdout
        except (OSError, subprocess.TimeoutExpired):
            return False
        if "Status: inactive" in status:
            return True
        return any(line.split()[:1] in (["22"], ["22/tcp"], ["OpenSSH"]) and "ALLOW" in line
                   for line in status.splitlines())

    def set_ssh(self, enabled: bool) -> tuple[bool, str]:
        try:
            done = _run(["systemctl", "start" if enabled else "stop", "ssh"])
            if done.returncode != 0:
                return False, (done.stderr or done.stdout).strip() or "systemctl failed"
            if enabled and shutil.which("ufw"):
                _run(["ufw", "allow", "ssh"])
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, str(exc)
        return True, ""

    def _shadow_hash(self) -> str | None:
        try:
            for line in self.shadow_file.read_text().splitlines():
                fields = line.split(":")
                if fields[0] == SSH_USER and len(fields) > 1:
                    return fields[1]
        except OSError:
            return None
        return None

    def ssh_default_password_changed(self) -> bool:
        stored = self._shadow_hash()
        return stored is not None and not _password_matches(stored, DEFAULT_SSH_PASSWORD)

    def reset_ssh_password(self, old_password: str, new_password: str) -> tuple[bool, str]:
        stored = self._shadow_hash()
        if stored is None:
            return False, f"User {SSH_USER} not found."
        has_password = bool(stored) and stored[0] not in "!*"
        if has_password and not _password_matches(stored, old_password):
            return False, "The password is incorrect. Provide your current password."
        if not new_password or ":" in new_password or "\n" in new_password:
            return False, "The new password is not valid."
        try:
            done = _run(["chpasswd"], stdin=f"{SSH_USER}:{new_password}\n")
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, str(exc)
        if done.returncode != 0:
            return False, (done.stderr or "chpasswd failed").strip()
        return True, ""

    def timezone(self) -> str:
        try:
            done = _run(["timedatectl", "show", "-p", "Timezone", "--value"])
            if done.returncode == 0 and done.stdout.strip():
                return done.stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            pass
        try:
            return Path("/etc/timezone").read_text().strip() or DEFAULT_TIMEZONE
        except OSError:
            return DEFAULT_TIMEZONE

    def timezones(self) -> set[str]:
        try:
            done = _run(["timedatectl", "list-timezones"])
            if done.returncode == 0 and done.stdout.strip():
                return set(done.stdout.split())
        except (OSError, subprocess.TimeoutExpired):
            pass
        return set(zoneinfo.available_timezones())

    def set_timezone(self, name: str) -> tuple[bool, str]:
        try:
            done = _run(["timedatectl", "set-timezone", name])
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, str(exc)
        if done.returncode != 0:
            return False, (done.stderr or "timedatectl failed").strip()
        return True, ""


class SimulatedSystem:
    """The simulated car: settings live in `console_state.json`, nothing on the host changes."""

    def __init__(self, state_file: Path) -> None:
        self.state_file = state_file
        self._lock = threading.Lock()

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.state_file.read_text())
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _update(self, **changes: Any) -> None:
        with self._lock:
            data = self._load()
            data.update(changes)
            atomic_write_json(self.state_file, data)

    def ssh_enabled(self) -> bool:
        return bool(self._load().get("ssh_enabled", False))

    def set_ssh(self, enabled: bool) -> tuple[bool, str]:
        self._update(ssh_enabled=enabled)
        return True, ""

    @staticmethod
    def _digest(password: str) -> str:
        return hashlib.sha256(password.encode("utf-8")).hexdigest()

    def _ssh_digest(self) -> str:
        return str(self._load().get("ssh_password_sha256", self._digest(DEFAULT_SSH_PASSWORD)))

    def ssh_default_password_changed(self) -> bool:
        return self._ssh_digest() != self._digest(DEFAULT_SSH_PASSWORD)

    def reset_ssh_password(self, old_password: str, new_password: str) -> tuple[bool, str]:
        if not hmac.compare_digest(self._digest(old_password), self._ssh_digest()):
            return False, "The password is incorrect. Provide your current password."
        if not new_password or ":" in new_password or "\n" in new_password:
            return False, "The new password is not valid."
        self._update(ssh_password_sha256=self._digest(new_password))
        return True, ""

    def timezone(self) -> str:
        return str(self._load().get("timezone", DEFAULT_TIMEZONE))

    def timezones(self) -> set[str]:
        return set(zoneinfo.available_timezones())

    def set_timezone(self, name: str) -> tuple[bool, str]:
        self._update(timezone=name)
        return True, ""
