"""Mounting a USB file system under a private mount point, and unmounting it when done.

Mount points are `<mount_root>/<device name>` (e.g. `/run/deepracer-usb/mnt/sda1`), inside a folder
only root can enter; options `nosuid,nodev,noexec,noatime` (nothing on a stick can be executed or
gain privileges). `mount`/`umount` are found on PATH (tests put recording fakes first on PATH).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Protocol

from usb_wifi_provisioner.drives import Drive

log = logging.getLogger(__name__)

MOUNT_OPTIONS = "nosuid,nodev,noexec,noatime"
MOUNT_TIMEOUT_S = 60.0


class MountError(OSError):
    pass


class Mounter(Protocol):
    def mount(self, drive: Drive) -> Path: ...

    def unmount(self, drive: Drive, path: Path, lazy: bool = False) -> None: ...


class FolderMounter:
    """Folder drives are already "mounted": the folder itself."""

    def mount(self, drive: Drive) -> Path:
        if drive.folder is None:
            raise MountError(f"{drive.node_name} is not a folder drive")
        return drive.folder

    def unmount(self, drive: Drive, path: Path, lazy: bool = False) -> None:
        return None


def _tool(name: str) -> str:
    exe = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if exe is None:
        raise MountError(f"{name} not found")
    return exe


class SystemMounter:
    def __init__(self, mount_root: Path) -> None:
        self.mount_root = Path(mount_root)

    def prepare(self) -> None:
        """Create the private mount root; unmount what a crashed earlier run left mounted."""
        self.mount_root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.mount_root, 0o700)
        for leftover in sorted(self.mount_root.iterdir()):
            if leftover.is_dir():
                if os.path.ismount(leftover):
                    log.warning("unmounting %s left over from an earlier run", leftover)
                    self._umount(leftover, lazy=True)
                try:
                    leftover.rmdir()
                except OSError:
                    pass

    def mount_point(self, drive: Drive) -> Path:
        name = Path(drive.devnode or drive.node_name).name or "drive"
        return self.mount_root / name

    def mount(self, drive: Drive) -> Path:
        if drive.folder is not None:
            return drive.folder
        if not drive.devnode:
            raise MountError(f"{drive.node_name} has no device node")
        target = self.mount_point(drive)
        self.mount_root.mkdir(parents=True, exist_ok=True)
        target.mkdir(mode=0o700, exist_ok=True)
        argv = [_tool("mount"), "-o", MOUNT_OPTIONS, drive.devnode, str(target)]
        try:
            proc = subprocess.run(argv, capture_output=True, timeout=MOUNT_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            self._remove_dir(target)
            raise MountError(f"mount {drive.devnode} failed: {exc}") from exc
        if proc.returncode != 0:
            self._remove_dir(target)
            detail = (proc.stderr or proc.stdout).decode(errors="replace").strip()
            raise MountError(f"mount {drive.devnode} on {target} failed ({proc.returncode}): {detail}")
        log.info("mounted %s on %s", drive.devnode, target)
        return target

    def unmount(self, drive: Drive, path: Path, lazy: bool = False) -> None:
        if drive.folder is not None:
            return
        self._umount(path, lazy)
        self._remove_dir(path)

    def _umount(self, path: Path, lazy: bool) -> None:
        try:
            os.sync()
        except OSError:
            pass
        argv = [_tool("umount")] + (["-l"] if lazy else []) + [str(path)]
        proc = subprocess.run(argv, capture_output=True, timeout=MOUNT_TIMEOUT_S, check=False)
        if proc.returncode != 0 and not lazy:
            # Busy (a consumer still has a file open): detach now, the kernel finishes when freed.
            log.warning("umount %s failed (%s); detaching it lazily", path,
                        proc.stderr.decode(errors="replace").strip())
            subprocess.run([_tool("umount"), "-l", str(path)], capture_output=True,
                           timeout=MOUNT_TIMEOUT_S, check=False)
        log.info("unmounted %s", path)

    @staticmethod
    def _remove_dir(path: Path) -> None:
        try:
            path.rmdir()
        except OSError:
            pass
