"""Where USB drives come from.

- `UdevDriveSource`: the car. pyudev on subsystem `block`; drives present at start are reported
  first (a stick left in the car at boot is processed), then hot-plug events. Accepted: USB
  (`ID_BUS=usb`, or a sysfs path through a USB controller) disks and partitions that carry a file
  system; a partitioned disk itself is skipped (its partitions are reported). Unlike the original
  (any `sd*` device), an internal SATA disk of an x86 box is never touched.
- `FolderDriveSource`: every sub-folder of a folder is a "drive" (already mounted: the folder).
  Used by the simulated car (drop a folder into `<sim_dir>/usb/`) and by tests.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Drive:
    """One USB file system. `node_name` identifies it in the original ROS API (the device node,
    e.g. "/dev/sda1"); `folder` is set for folder drives, which need no mount."""

    node_name: str
    devnode: str | None = None
    folder: Path | None = None
    label: str = ""
    fs_type: str = ""

    @property
    def short_name(self) -> str:
        return Path(self.node_name).name or "drive"


DriveCallback = Callable[[Drive], None]


def is_usb_filesystem(properties: Mapping[str, str], sys_path: str = "") -> bool:
    """Is this udev block device a USB disk/partition we should mount? (pure; udev properties)"""
    if properties.get("SUBSYSTEM", "block") != "block":
        return False
    devtype = properties.get("DEVTYPE", "")
    if devtype not in ("disk", "partition"):
        return False
    usb = properties.get("ID_BUS") == "usb" or "/usb" in sys_path
    if not usb:
        return False
    usage = properties.get("ID_FS_USAGE")
    if usage is not None:
        return usage == "filesystem"
    # No udev database (containers, early boot): a disk with a partition table is not itself
    # mountable; anything else is tried (mount fails harmlessly on an empty card reader).
    if devtype == "disk" and properties.get("ID_PART_TABLE_TYPE"):
        return False
    return True


def drive_from_udev(device: Any) -> Drive | None:
    props = {str(k): str(v) for k, v in dict(device.properties).items()}
    devnode = device.device_node
    if not devnode or not is_usb_filesystem(props, str(device.sys_path)):
        return None
    return Drive(node_name=devnode, devnode=devnode, label=props.get("ID_FS_LABEL", ""),
                 fs_type=props.get("ID_FS_TYPE", ""))


class UdevDriveSource:
    def __init__(self, on_add: DriveCallback, on_remove: DriveCallback) -> None:
        self.on_add = on_add
        self.on_remove = on_remove
        self._observer: Any = None
        # Device nodes reported since their "add". udev sends a "change" event whenever a block
        # device opened for writing is closed, so our own mount/umount would otherwise report the
        # drive again and again; "change" only counts for a device not seen yet (a card reader
        # whose medium was just inserted).
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def _report(self, drive: Drive) -> None:
        with self._lock:
            if drive.node_name in self._seen:
                return
            self._seen.add(drive.node_name)
        self.on_add(drive)

    def existing(self) -> list[Drive]:
        import pyudev

        context = pyudev.Context()
        drives = []
        for device in context.list_devices(subsystem="block"):
            drive = drive_from_udev(device)
            if drive is not None:
                drives.append(drive)
        return sorted(drives, key=lambda d: d.node_name)

    def start(self) -> None:
        import pyudev

        context = pyudev.Context()
        monitor = pyudev.Monitor.from_netlink(context)
        monitor.filter_by("block")
        # Subscribe before enumerating, so a drive plugged in meanwhile is not missed (the
        # engine ignores a second "add" of a drive it already handles).
        self._observer = pyudev.MonitorObserver(monitor, callback=self._event, name="usb-udev")
        self._observer.start()
        for drive in self.existing():
            self._report(drive)

    def _event(self, device: Any) -> None:
        action = device.action
        devnode = device.device_node
        if action == "remove":
            if devnode:
                with self._lock:
                    self._seen.discard(devnode)
                self.on_remove(Drive(node_name=devnode, devnode=devnode))
            return
        if action in ("add", "change"):
            drive = drive_from_udev(device)
            if drive is not None:
                self._report(drive)

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.send_stop()
            self._observer = None


class FolderDriveSource:
    """Sub-folders of `root` are drives; polled (the simulated car and tests have no udev)."""

    def __init__(self, root: Path, on_add: DriveCallback, on_remove: DriveCallback,
                 interval: float = 0.2) -> None:
        self.root = Path(root)
        self.on_add = on_add
        self.on_remove = on_remove
        self.interval = interval
        self._known: set[str] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _scan(self) -> None:
        try:
            current = {p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")}
        except OSError:
            current = set()
        for name in sorted(current - self._known):
            folder = self.root / name
            self.on_add(Drive(node_name=str(folder), folder=folder, label=name))
        for name in sorted(self._known - current):
            folder = self.root / name
            self.on_remove(Drive(node_name=str(folder), folder=folder, label=name))
        self._known = current

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self._scan()
        self._thread = threading.Thread(target=self._run, name="usb-folders", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._scan()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
