"""The drive queue (`UsbEngine`): drives in, mounted, processed, released — and the original usb_monitor API.

One worker thread handles drives one after the other (in arrival order; drives present at start
in device-name order), so two sticks never fight over the Wi-Fi connection or the LEDs.

For each drive:
1. mount it privately (reference count 1, held by the engine itself);
2. notify every subscriber whose watched name exists at the drive root (the original
   `usb_file_system_subscribe` / `usb_file_system_notification` API); each notification holds one
   more reference until the subscriber calls `usb_mount_point_manager(node_name, 0)`;
3. run the built-in provisioning job (wifi-creds.txt, models/, device-status.txt);
4. drop the engine's own reference: at zero the drive is unmounted.

Better than the original: references are owned, so a subscriber that disappears (its connection
closes) releases what it held, and a reference held longer than `max_hold_s` is dropped with a
warning — a stick is never left mounted forever. The names the built-in job handles
(`wifi-creds.txt`, `models`) are not also notified, so nothing is processed twice.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.atomic import atomic_write_text
from runtime.processes import pid_alive
from usb_wifi_provisioner.creds import CREDS_FILE_NAME
from usb_wifi_provisioner.drives import Drive
from usb_wifi_provisioner.models_import import MODELS_DIR_NAME
from usb_wifi_provisioner.mounts import Mounter
from usb_wifi_provisioner.provision import DriveReport, Provisioner

log = logging.getLogger(__name__)

ENGINE = "engine"            # owner of the engine's own reference
DEFAULT_MAX_HOLD_S = 600.0
BUILTIN_NAMES = frozenset({CREDS_FILE_NAME, MODELS_DIR_NAME})


@dataclass(frozen=True)
class Subscription:
    file_name: str
    callback_name: str
    verify_name_exists: bool
    owner: str


@dataclass(frozen=True)
class Notification:
    """Fields of USBFileSystemNotificationMsg."""

    path: str
    file_name: str
    callback_name: str
    node_name: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "file_name": self.file_name, "callback_name": self.callback_name,
                "node_name": self.node_name}


@dataclass
class MountState:
    drive: Drive
    path: Path
    refs: Counter[str] = field(default_factory=Counter)
    since: float = field(default_factory=time.monotonic)

    @property
    def total(self) -> int:
        return sum(self.refs.values())


NotifyCallback = Callable[[str, Notification], None]


class UsbEngine:
    def __init__(self, mounter: Mounter, provisioner: Provisioner | None = None,
                 notify: NotifyCallback | None = None, status_file: Path | None = None,
                 max_hold_s: float = DEFAULT_MAX_HOLD_S) -> None:
        self.mounter = mounter
        self.provisioner = provisioner
        self.notify = notify or (lambda _owner, _n: None)
        self.status_file = status_file
        self.max_hold_s = max_hold_s
        self._lock = threading.RLock()
        self._subs: list[Subscription] = []
        self._mounts: dict[str, MountState] = {}
        self._queue: queue.Queue[tuple[str, Drive] | None] = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._busy: dict[str, bool] = {"wifi": False, "models": False}
        self._current: str | None = None
        self.reports: list[DriveReport] = []
        self._last: dict[str, Any] = {}
        if provisioner is not None:
            previous = provisioner.on_busy

            def _on_busy(what: str, busy: bool) -> None:
                previous(what, busy)
                self._set_busy(what, busy)

            provisioner.on_busy = _on_busy

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        self._write_status()
        self._thread = threading.Thread(target=self._work, name="usb-engine", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        with self._lock:
            states = list(self._mounts.values())
            self._mounts.clear()
        for state in states:
            self._unmount(state, lazy=True)
        self._write_status()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until every queued drive has been processed (tests, `deepracer usb`)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    # -- drive events (any thread) ------------------------------------------------------------
    def drive_added(self, drive: Drive) -> None:
        with self._lock:
            if drive.node_name in self._mounts or drive.node_name == self._current:
                return
            self._pending += 1
        self._queue.put(("add", drive))

    def drive_removed(self, drive: Drive) -> None:
        with self._lock:
            self._pending += 1
        self._queue.put(("remove", drive))

    # -- original API ---------------------------------------------------------------------------
    def subscribe(self, file_name: str, callback_name: str, verify_name_exists: bool, owner: str) -> int:
        """usb_file_system_subscribe: watch `file_name` at the root of every drive. 0 = ok."""
        if not file_name or ".." in Path(file_name).parts or file_name.startswith("/"):
            return 1
        sub = Subscription(file_name, callback_name, bool(verify_name_exists), owner)
        with self._lock:
            if sub not in self._subs:
                self._subs.append(sub)
        if self.provisioner is not None and file_name in BUILTIN_NAMES:
            log.info("%s on USB drives is handled by the USB provisioner itself; %s will not be notified",
                     file_name, owner)
        else:
            log.info("watching %s on USB drives for %s (%s)", file_name, owner, callback_name)
        # A drive already mounted is reported to the new subscriber right away.
        with self._lock:
            states = list(self._mounts.values())
        for state in states:
            self._notify_one(state, sub)
        return 0

    def mount_point_manager(self, node_name: str, action: int, owner: str) -> int:
        """usb_mount_point_manager: action 1 takes a reference, 0 releases one. 0 = ok, 1 = error."""
        with self._lock:
            state = self._mounts.get(node_name)
            if state is None:
                return 1
            if action == 1:
                state.refs[owner] += 1
                return 0
            if action != 0 or state.refs[owner] <= 0:
                return 1
            state.refs[owner] -= 1
            release = state.total == 0
            if release:
                del self._mounts[node_name]
        if release:
            self._unmount(state)
        return 0

    def release_owner(self, owner: str) -> None:
        """Drop every subscription and reference of `owner` (its connection went away)."""
        to_unmount = []
        with self._lock:
            self._subs = [s for s in self._subs if s.owner != owner]
            for name, state in list(self._mounts.items()):
                if state.refs.pop(owner, 0) and state.total == 0:
                    del self._mounts[name]
                    to_unmount.append(state)
        for state in to_unmount:
            self._unmount(state)

    def mounted(self) -> dict[str, Path]:
        with self._lock:
            return {name: state.path for name, state in self._mounts.items()}

    # -- worker -------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=max(0.05, min(5.0, self.max_hold_s / 4)))
            except queue.Empty:
                self._expire_refs()
                continue
            if item is None:
                return
            kind, drive = item
            try:
                if kind == "add":
                    self._handle_add(drive)
                else:
                    self._handle_remove(drive)
            except Exception:
                log.exception("USB drive %s: unexpected error", drive.node_name)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()
            self._expire_refs()

    def _handle_add(self, drive: Drive) -> None:
        with self._lock:
            if drive.node_name in self._mounts:
                return
            self._current = drive.node_name
        try:
            try:
                path = self.mounter.mount(drive)
            except OSError as exc:
                log.warning("USB drive %s could not be mounted: %s", drive.node_name, exc)
                return
            state = MountState(drive, path)
            state.refs[ENGINE] = 1
            with self._lock:
                self._mounts[drive.node_name] = state
                subs = list(self._subs)
            self._write_status()
            log.info("USB drive %s mounted on %s", drive.node_name, path)
            for sub in subs:
                self._notify_one(state, sub)
            if self.provisioner is not None:
                def _release() -> None:
                    self.mount_point_manager(drive.node_name, 0, ENGINE)

                report = self.provisioner.process_drive(path, finish=_release)
                self.reports.append(report)
                self._remember(drive, report)
            else:
                self.mount_point_manager(drive.node_name, 0, ENGINE)
        finally:
            with self._lock:
                self._current = None
            self._write_status()

    def _handle_remove(self, drive: Drive) -> None:
        with self._lock:
            state = self._mounts.pop(drive.node_name, None)
        if state is not None:
            log.warning("USB drive %s was removed while mounted; detaching it", drive.node_name)
            self._unmount(state, lazy=True)

    def _notify_one(self, state: MountState, sub: Subscription) -> None:
        if self.provisioner is not None and sub.file_name in BUILTIN_NAMES:
            return
        if sub.verify_name_exists and not (state.path / sub.file_name).exists():
            return
        note = Notification(str(state.path), sub.file_name, sub.callback_name, state.drive.node_name)
        with self._lock:
            if self._mounts.get(state.drive.node_name) is not state:
                return
            state.refs[sub.owner] += 1
            state.since = time.monotonic()
        try:
            self.notify(sub.owner, note)
        except Exception as exc:
            log.warning("notifying %s about %s failed: %s", sub.owner, sub.file_name, exc)
            self.mount_point_manager(state.drive.node_name, 0, sub.owner)

    def _expire_refs(self) -> None:
        now = time.monotonic()
        expired = []
        with self._lock:
            for name, state in list(self._mounts.items()):
                if name != self._current and now - state.since > self.max_hold_s:
                    del self._mounts[name]
                    expired.append(state)
        for state in expired:
            log.warning("USB drive %s still held by %s after %.0f s; unmounting it",
                        state.drive.node_name, dict(state.refs), self.max_hold_s)
            self._unmount(state)

    def _unmount(self, state: MountState, lazy: bool = False) -> None:
        try:
            self.mounter.unmount(state.drive, state.path, lazy=lazy)
        except Exception as exc:
            log.warning("unmounting %s failed: %s", state.path, exc)
        self._write_status()

    # -- status file (network monitor, console, tests) ------------------------------------------
    def _set_busy(self, what: str, busy: bool) -> None:
        with self._lock:
            self._busy[what] = busy
        self._write_status()

    def _remember(self, drive: Drive, report: DriveReport) -> None:
        self._last = {
            "drive": drive.node_name,
            "time": time.time(),
            "wifi_ok": report.wifi_ok,
            "ssid": report.wifi[-1].ssid if report.wifi else "",
            "models": [{"file": m.file, "status": m.status, "name": m.model_name} for m in report.models],
            "status_file": str(report.status_file) if report.status_file else "",
        }

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {
                "pid": os.getpid(),
                "updated": time.time(),
                "wifi_busy": self._busy["wifi"],
                "models_busy": self._busy["models"],
                "busy": bool(self._current) or any(self._busy.values()),
                "mounted": sorted(self._mounts),
                "last": dict(self._last),
            }

    def _write_status(self) -> None:
        if self.status_file is None:
            return
        try:
            atomic_write_text(self.status_file, json.dumps(self.status(), indent=1) + "\n")
        except OSError as exc:
            log.debug("status file %s not written: %s", self.status_file, exc)


def read_status(path: Path, max_age_s: float = 300.0) -> dict[str, Any]:
    """The engine's status file, or {} when absent, unreadable, stale or its process is gone."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    pid = data.get("pid")
    if isinstance(pid, int) and pid > 0 and not pid_alive(pid):
        return {}
    if time.time() - float(data.get("updated", 0)) > max_age_s:
        return {}
    return data
