"""One software update, start to end, and what the console and the ROS services read about it.

`Updater.install_bundle(archive)`:

    beginning 0 %    unpack into a staging folder and verify (manifest, sha256 of every file, layout,
                     architecture, Python); refuse a downgrade or the same version unless `force`
                     -> any refusal: a clear message, nothing changed
    installing 50 %  `releases/<version>` built beside the running one (offline pip install)
    installing 80 %  trial recorded, `current` switched (one rename), deepracer-core restarted
    installing 90 %  health check (graph up, console answers, servo neutral) for up to 60 s
    complete 100 %   the trial is confirmed; old releases beyond the last three are removed
    otherwise        `current` switched back, deepracer-core restarted again: "rolled back"

Progress is written atomically to `<prefix>/update-status.json` ({state, pct, version, previous,
message, error, rolled_back}); the software_update node publishes it as the original's
`software_update_pct` (states unknown, checking, beginning, downloading, installing, complete; a
failure ends in "unknown" 0 % like the original, with the reason in `error`).

Power cuts: the new release is complete before `current` moves, and `current` moves in one rename, so
an interrupted install leaves the old release current. A cut during the trial (after the switch,
before the health check passed) is caught by `recover()`, which deepracer-core runs before it starts
(`deepracer update --recover`): a trial left by another boot, or by an updater that is gone, is
rolled back.

The restart and the health check are injected (`restart`, `health`): the car uses systemd and
`StackHealth`; tests pass their own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.atomic import atomic_write_json
from runtime.processes import pid_alive
from updates.bundle import BundleError, verify_bundle, version_key
from updates.health import HEALTH_TIMEOUT_S, HealthReport
from updates.releases import Provisioner, ReleaseStore, pip_provision

STATUS_FILE = "update-status.json"
TRIAL_FILE = "update-trial.json"
CORE_UNIT = "deepracer-core.service"
KEEP_RELEASES = 3


class UpdateError(RuntimeError):
    """The update was refused or failed; the message says why and what the car runs now."""


@dataclass(frozen=True)
class UpdateResult:
    version: str
    previous: str | None
    healthy: bool
    message: str


def boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def systemd_restart(unit: str = CORE_UNIT) -> None:
    """Restart the stack's unit (the car): `systemctl restart deepracer-core.service`, or the command
    in DEEPRACER_RESTART_CMD (an image being tested, a car supervised otherwise)."""
    import shlex

    argv = shlex.split(os.environ.get("DEEPRACER_RESTART_CMD", "")) or ["systemctl", "restart", unit]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise UpdateError(f"{' '.join(argv)} failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()}")


def read_status(prefix: Path) -> dict[str, Any]:
    try:
        data = json.loads((prefix / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return {"state": "unknown", "pct": 0}
    return data if isinstance(data, dict) else {"state": "unknown", "pct": 0}


class Updater:
    def __init__(self, store: ReleaseStore, restart: Callable[[], None],
                 health: Callable[[float], HealthReport], provision: Provisioner = pip_provision,
                 arch: str | None = None, health_timeout: float = HEALTH_TIMEOUT_S,
                 fallback_version: Callable[[], str | None] = lambda: None) -> None:
        """`health(since)` checks the stack restarted at wall-clock time `since` (waiting up to
        `health_timeout`); `fallback_version()` names the running version when no release is current
        (a car installed from a checkout)."""
        self.store = store
        self.restart = restart
        self.health = health
        self.provision = provision
        self.arch = arch
        self.health_timeout = health_timeout
        self.fallback_version = fallback_version

    @property
    def prefix(self) -> Path:
        return self.store.prefix

    # -- status
    def _status(self, state: str, pct: float, **fields: Any) -> None:
        doc = {"state": state, "pct": float(pct), "pid": os.getpid(), "updated_at": time.time(),
               "error": "", "rolled_back": False, **fields}
        try:
            atomic_write_json(self.prefix / STATUS_FILE, doc, indent=2)
        except OSError:
            pass

    def running_version(self) -> str | None:
        return self.store.current() or self.fallback_version()

    # -- the update
    def install_bundle(self, archive: Path, force: bool = False) -> UpdateResult:
        self.prefix.mkdir(parents=True, exist_ok=True)
        self._status("beginning", 0, message=f"checking {archive.name}")
        staging = self.prefix / f".staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            try:
                bundle = verify_bundle(archive, staging, self.arch)
                previous = self.running_version()
                self._refuse_downgrade(bundle.version, previous, force)
                self._status("installing", 50, version=bundle.version, previous=previous,
                             message=f"installing {bundle.version}")
                self.store.install(bundle, self.provision)
            except (BundleError, OSError, UpdateError) as exc:
                self._status("unknown", 0, error=str(exc), message="update refused; nothing changed")
                raise UpdateError(str(exc)) from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return self._switch_and_check(bundle.version, previous)

    def _refuse_downgrade(self, version: str, previous: str | None, force: bool) -> None:
        if previous is None or force:
            return
        try:
            older = version_key(version) < version_key(previous)
            same = version_key(version) == version_key(previous)
        except BundleError:
            return  # the running version is not a release version (a checkout): anything goes
        if older:
            raise UpdateError(f"{version} is older than the running {previous}: a downgrade needs --force")
        if same:
            raise UpdateError(f"{version} is already installed and running")

    def _switch_and_check(self, version: str, previous: str | None) -> UpdateResult:
        rollback_to = self.store.current()
        atomic_write_json(self.prefix / TRIAL_FILE, {"version": version, "previous": rollback_to,
                                                     "boot_id": boot_id(), "pid": os.getpid()}, indent=2)
        self._status("installing", 80, version=version, previous=previous, message="restarting the car's software")
        since = time.time()
        report: HealthReport | None = None
        try:
            self.store.switch(version)
            self.restart()
            self._status("installing", 90, version=version, previous=previous,
                         message="checking that the car runs (up to 60 s)")
            report = self.health(since)
        except Exception as exc:  # a failed restart is a failed update: roll back
            report = HealthReport(problems=[f"restart failed: {exc}"], checked=["restart"])
        if report.healthy:
            (self.prefix / TRIAL_FILE).unlink(missing_ok=True)
            self.store.prune(KEEP_RELEASES)
            message = f"updated to {version}"
            self._status("complete", 100, version=version, previous=previous, message=message)
            return UpdateResult(version, previous, True, message)
        reason = "; ".join(report.problems) or "health check failed"
        return self._roll_back(version, rollback_to, previous, reason)

    def _roll_back(self, version: str, rollback_to: str | None, previous: str | None, reason: str) -> UpdateResult:
        if rollback_to is None:
            message = f"{version} is not healthy ({reason}) and there is no previous release to go back to"
            self._status("unknown", 0, version=version, previous=previous, error=message)
            (self.prefix / TRIAL_FILE).unlink(missing_ok=True)
            raise UpdateError(message)
        self.store.switch(rollback_to)
        (self.prefix / TRIAL_FILE).unlink(missing_ok=True)
        try:
            self.restart()
        except Exception as exc:
            reason += f"; restarting {rollback_to} failed too: {exc}"
        message = f"{version} failed its health check ({reason}); rolled back to {rollback_to}"
        self._status("unknown", 0, version=version, previous=previous, error=message, rolled_back=True)
        raise UpdateError(message)

    # -- after a power cut
    def recover(self) -> str | None:
        """Roll back a trial that no live updater owns (power cut, crash). Returns what was done."""
        try:
            trial = json.loads((self.prefix / TRIAL_FILE).read_text())
        except (OSError, ValueError):
            self.store.clean_incoming()
            return None
        self.store.clean_incoming()
        owned = trial.get("boot_id") == boot_id() and pid_alive(trial.get("pid")) and trial.get("pid") != os.getpid()
        if owned:
            return None  # the updater is checking this restart right now
        previous = trial.get("previous")
        (self.prefix / TRIAL_FILE).unlink(missing_ok=True)
        if isinstance(previous, str) and self.store.path(previous).is_dir():
            self.store.switch(previous)
            message = f"the update to {trial.get('version')} was interrupted; back on {previous}"
            self._status("unknown", 0, version=trial.get("version"), previous=previous, error=message,
                         rolled_back=True)
            return message
        return None


def launch_update(archive: Path, force: bool = False, prefix: Path | None = None) -> None:
    """Run `deepracer update --install ARCHIVE` in a process of its own, outside deepracer-core (which
    it restarts): a transient systemd unit on the car, a detached process elsewhere."""
    argv = [sys.executable, "-m", "cli.deepracer", "update", "--install", str(archive)]
    if force:
        argv.append("--force")
    env = dict(os.environ)
    if prefix is not None:
        env["DEEPRACER_PREFIX"] = str(prefix)
    if Path("/run/systemd/system").is_dir() and os.geteuid() == 0 and shutil.which("systemd-run"):
        keep = [f"--setenv={k}={env[k]}" for k in ("DEEPRACER_PREFIX", "DEEPRACER_STATE_DIR", "PYTHONPATH",
                                                     "LD_LIBRARY_PATH", "AMENT_PREFIX_PATH", "PATH",
                                                     "DEEPRACER_RESTART_CMD", "DEEPRACER_CONSOLE_URL",
                                                     "ROS_DOMAIN_ID", "RMW_IMPLEMENTATION")
                if k in env]
        subprocess.run(["systemd-run", "--collect", "--quiet", f"--unit=deepracer-update-{int(time.time())}",
                        *keep, *argv], check=True, capture_output=True)
        return
    subprocess.Popen(argv, env=env, start_new_session=True, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
