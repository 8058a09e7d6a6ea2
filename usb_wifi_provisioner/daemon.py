"""`python -m usb_wifi_provisioner`: the USB provisioner service (no ROS needed).

Watches for USB drives (pyudev), mounts each privately, sets up Wi-Fi from `wifi-creds.txt`,
imports `models/`, writes `device-status.txt`, unmounts. Runs whether the robot stack runs or not,
so Wi-Fi set-up works on a car whose stack is broken. While the stack runs, its usb_monitor node
connects to this service (see `ipc.py`): it offers the original USB services and drives the
LEDs through the status_led node.

Only one USB owner runs per machine (a lock file in the run folder): a second instance, or a
usb_monitor node running the engine itself because no service was found, waits for the first.

Options:
    --drives-dir DIR   treat each sub-folder of DIR as a drive instead of watching udev
                       (the simulated car, tests)
    --leds MODE        auto | gpio | none (default: DEEPRACER_USB_LEDS or auto)
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import signal
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from usb_wifi_provisioner.drive_queue import UsbEngine
from usb_wifi_provisioner.drives import FolderDriveSource, UdevDriveSource
from usb_wifi_provisioner.ipc import BridgeServer, LedRouter
from usb_wifi_provisioner.leds import LedControl, NullLeds, driver_leds
from usb_wifi_provisioner.mounts import FolderMounter, Mounter, SystemMounter
from usb_wifi_provisioner.provision import Provisioner
from usb_wifi_provisioner.settings import LED_MODES, ProvisionerSettings

log = logging.getLogger("usb_wifi_provisioner")


def hardware_leds_present() -> bool:
    from runtime.paths import hardware_mode, sysfs_root

    try:
        real = hardware_mode() == "real"
    except ValueError:
        real = False
    return real and (sysfs_root() / "class" / "gpio" / "export").exists()


def make_direct_leds(mode: str) -> LedControl:
    if mode == "gpio" or (mode == "auto" and hardware_leds_present()):
        return driver_leds()
    return NullLeds()


class OwnerLock:
    """Exclusive flock on `<run dir>/owner.lock`; released by the kernel when the process ends."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._handle: IO[str] | None = None

    def acquire(self, blocking: bool = True, stop: threading.Event | None = None) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not blocking:
                handle.close()
                return False
            log.info("another USB owner holds %s; waiting for it to stop", self.path)
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if stop is not None and stop.wait(1.0):
                        handle.close()
                        return False
                    if stop is None:
                        fcntl.flock(handle, fcntl.LOCK_EX)
                        break
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            try:
                fcntl.flock(self._handle, fcntl.LOCK_UN)
            finally:
                self._handle.close()
                self._handle = None


class ProvisionerService:
    """The pieces of the service wired together; `start()`/`stop()` (used by tests in-process too)."""

    def __init__(self, settings: ProvisionerSettings, drives_dir: Path | None = None,
                 direct_leds: LedControl | None = None, provisioner: Provisioner | None = None) -> None:
        self.settings = settings
        self.router = LedRouter(direct_leds if direct_leds is not None else make_direct_leds(settings.leds))
        self.provisioner = provisioner or Provisioner(leds=self.router, artifacts_dir=settings.artifacts_dir)
        mounter: Mounter
        if drives_dir is not None:
            mounter = FolderMounter()
        else:
            system = SystemMounter(settings.mount_root)
            system.prepare()
            mounter = system
        self.engine = UsbEngine(mounter, self.provisioner, status_file=settings.status_path,
                                max_hold_s=settings.max_hold_s)
        self.server = BridgeServer(settings.socket_path, self.engine, self.router)
        self.engine.notify = self.server.notify
        self.source: Any
        if drives_dir is not None:
            self.source = FolderDriveSource(drives_dir, self.engine.drive_added, self.engine.drive_removed)
        else:
            self.source = UdevDriveSource(self.engine.drive_added, self.engine.drive_removed)

    def start(self) -> None:
        self.engine.start()
        self.server.start()
        self.source.start()
        log.info("USB provisioner ready (socket %s)", self.settings.socket_path)

    def stop(self) -> None:
        self.source.stop()
        self.server.stop()
        self.engine.stop()


def sd_notify(state: str) -> None:
    """Tell systemd (Type=notify) that the service is ready; a no-op outside systemd."""
    import socket

    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError as exc:
        log.debug("sd_notify failed: %s", exc)


def main(argv: Sequence[str] | None = None, prog: str = "python -m usb_wifi_provisioner") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drives-dir", type=Path, default=None)
    parser.add_argument("--leds", choices=LED_MODES, default=None)
    parser.add_argument("--log-level", default=os.environ.get("DEEPRACER_LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=getattr(logging, str(args.log_level).upper(), logging.INFO),
                        format="%(levelname)s %(name)s: %(message)s")
    settings = ProvisionerSettings.from_env()
    if args.leds:
        settings = ProvisionerSettings(settings.run_dir, settings.mount_root, settings.artifacts_dir, args.leds,
                                       settings.max_hold_s)
    stop = threading.Event()

    def _on_signal(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    lock = OwnerLock(settings.lock_path)
    if not lock.acquire(blocking=True, stop=stop):
        return 0
    service = ProvisionerService(settings, drives_dir=args.drives_dir)
    try:
        service.start()
        sd_notify("READY=1")
        stop.wait()
        sd_notify("STOPPING=1")
        log.info("stopping")
    finally:
        service.stop()
        lock.release()
    return 0
