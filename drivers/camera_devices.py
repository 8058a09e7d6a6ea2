"""Which cameras are plugged in, and news when that changes (hot-plug).

- `list_v4l2_cameras()`: the capture nodes of V4L2 devices, from `<sysfs>/class/video4linux/video*`
  (a UVC camera registers two nodes: `index` 0 streams frames, `index` 1 carries metadata) whose
  `/dev/videoN` exists under the dev root. None when the class folder is missing (a container
  without sysfs): the caller then probes device nodes as before.
- `list_sim_cameras()`: the simulator's `camera<N>.frame` files.
- Event sources (one small interface, `DeviceEvents`): `UdevEvents` (pyudev netlink monitor on a
  subsystem, the car) and `PollingEvents` (compares a listing every `interval` seconds: the fallback
  where udev is unavailable, and the simulated car). Each calls `on_event(DeviceEvent)`; the camera
  system treats every event as "look again", so a lost or duplicated event costs nothing.
- `watch()` starts udev when a udev daemon runs (its control socket `/run/udev/control` exists: a
  netlink monitor opens without one, in containers, and then never hears anything) and the monitor
  opens; otherwise it polls.
"""

from __future__ import annotations

import logging
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("drivers.camera_devices")

VIDEO_NAME = re.compile(r"^video(\d+)$")
SIM_NAME = re.compile(r"^camera(\d+)\.frame$")


@dataclass(frozen=True)
class DeviceEvent:
    action: str  # add | remove | change | present (seen by polling)
    name: str  # kernel name (video2) or file name (camera1.frame)


EventCallback = Callable[[DeviceEvent], None]


def list_v4l2_cameras(sysfs_root: Path | None = None, dev_root: Path | None = None) -> list[int] | None:
    """Indices N of /dev/videoN that are camera capture nodes, highest first; None without sysfs."""
    from runtime import paths

    sysfs = sysfs_root if sysfs_root is not None else paths.sysfs_root()
    dev = dev_root if dev_root is not None else paths.dev_root()
    folder = sysfs / "class" / "video4linux"
    try:
        entries = list(folder.iterdir())
    except OSError:
        return None
    found = []
    for entry in entries:
        match = VIDEO_NAME.match(entry.name)
        if match is None or not (dev / entry.name).exists():
            continue
        try:
            node_index = int((entry / "index").read_text().strip() or "0")
        except (OSError, ValueError):
            node_index = 0  # drivers without the attribute have one node per device
        if node_index == 0:
            found.append(int(match.group(1)))
    return sorted(found, reverse=True)


def list_sim_cameras(sim_dir: Path) -> list[int]:
    """Indices N of the simulator's camera<N>.frame files, lowest (left) first."""
    try:
        names = [p.name for p in sim_dir.iterdir()]
    except OSError:
        return []
    return sorted(int(m.group(1)) for m in map(SIM_NAME.match, names) if m is not None)


class DeviceEvents(ABC):
    """A source of device events; `start` may raise OSError/ImportError when it cannot work here."""

    @abstractmethod
    def start(self, on_event: EventCallback) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...


class UdevEvents(DeviceEvents):
    """Kernel uevents through udev (pyudev), filtered to one subsystem (`video4linux`)."""

    def __init__(self, subsystem: str = "video4linux") -> None:
        self.subsystem = subsystem
        self._observer: Any = None
        self._on_event: EventCallback | None = None

    def start(self, on_event: EventCallback) -> None:
        import pyudev

        self._on_event = on_event
        monitor = pyudev.Monitor.from_netlink(pyudev.Context())
        monitor.filter_by(self.subsystem)
        self._observer = pyudev.MonitorObserver(monitor, callback=self.deliver, name=f"udev-{self.subsystem}")
        self._observer.start()

    def deliver(self, device: Any) -> None:
        """One pyudev device (the observer's callback): forwarded as a DeviceEvent."""
        if self._on_event is None or getattr(device, "subsystem", self.subsystem) != self.subsystem:
            return
        self._on_event(DeviceEvent(str(device.action or "change"), str(device.sys_name)))

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.send_stop()
            self._observer = None


class PollingEvents(DeviceEvents):
    """Calls `listing()` every `interval` seconds and reports what appeared or went away."""

    def __init__(self, listing: Callable[[], list[str]], interval: float = 1.0) -> None:
        self.listing = listing
        self.interval = float(interval)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _list(self) -> set[str]:
        try:
            return set(self.listing())
        except Exception as exc:  # a listing problem must not end hot-plug
            log.debug("device listing failed: %s", exc)
            return set()

    def start(self, on_event: EventCallback) -> None:
        known = self._list()
        self._stop.clear()

        def run() -> None:
            nonlocal known
            while not self._stop.wait(self.interval):
                current = self._list()
                for name in sorted(current - known):
                    on_event(DeviceEvent("add", name))
                for name in sorted(known - current):
                    on_event(DeviceEvent("remove", name))
                known = current

        self._thread = threading.Thread(target=run, name="device-poll", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None


UDEV_CONTROL = Path("/run/udev/control")


def watch(on_event: EventCallback, listing: Callable[[], list[str]], subsystem: str | None,
          poll_interval: float = 1.0, udev_control: Path = UDEV_CONTROL) -> DeviceEvents:
    """Started event source: udev on `subsystem` when it works here, else polling `listing`."""
    if subsystem and udev_control.exists():
        udev = UdevEvents(subsystem)
        try:
            udev.start(on_event)
            return udev
        except Exception as exc:  # no pyudev, no netlink socket
            log.info("udev events unavailable (%s); polling for %s devices every %.1f s", exc, subsystem,
                     poll_interval)
    polling = PollingEvents(listing, poll_interval)
    polling.start(on_event)
    return polling
