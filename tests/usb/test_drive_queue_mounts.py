"""The USB engine: private mounts with `mount`/`umount` (fakes on PATH that copy a device folder in
and out like the kernel would), reference counts of the original usb_monitor API, subscriptions."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from tests.support.ros import wait_until
from tests.usb.conftest import make_stick
from usb_wifi_provisioner.drive_queue import UsbEngine, read_status
from usb_wifi_provisioner.drives import Drive
from usb_wifi_provisioner.mounts import MOUNT_OPTIONS, FolderMounter, SystemMounter
from usb_wifi_provisioner.provision import Provisioner

FAKE_MOUNT = r'''
import json, os, shutil, sys
log = os.environ["FAKE_MOUNT_LOG"]
with open(log, "a") as f:
    f.write(json.dumps([os.path.basename(sys.argv[0]), *sys.argv[1:]]) + "\n")
args = [a for a in sys.argv[1:]]
if os.path.basename(sys.argv[0]) == "mount":
    if args[:1] == ["-o"]:
        args = args[2:]
    device, target = args
    if not os.path.isdir(device):
        print(f"mount: {target}: special device {device} does not exist.", file=sys.stderr)
        sys.exit(32)
    shutil.copytree(device, target, dirs_exist_ok=True)
    open(os.path.join(os.environ["FAKE_MOUNT_STATE"], os.path.basename(target)), "w").write(device)
else:
    target = args[-1]
    marker = os.path.join(os.environ["FAKE_MOUNT_STATE"], os.path.basename(target))
    device = open(marker).read()
    shutil.rmtree(device)
    shutil.copytree(target, device)
    for entry in os.listdir(target):
        path = os.path.join(target, entry)
        shutil.rmtree(path) if os.path.isdir(path) else os.unlink(path)
    os.unlink(marker)
'''


@pytest.fixture
def fake_mount(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    bin_dir = tmp_path / "mount-bin"
    bin_dir.mkdir()
    for name in ("mount", "umount"):
        path = bin_dir / name
        path.write_text(f"#!{sys.executable} -IS\n{FAKE_MOUNT}")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    state = tmp_path / "mount-state"
    state.mkdir()
    log = tmp_path / "mount-calls.jsonl"
    log.write_text("")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_MOUNT_LOG", str(log))
    monkeypatch.setenv("FAKE_MOUNT_STATE", str(state))
    return lambda: [json.loads(line) for line in log.read_text().splitlines()]


class Notes:
    def __init__(self) -> None:
        self.received: list[tuple[str, dict]] = []

    def __call__(self, owner, note) -> None:
        self.received.append((owner, note.as_dict()))


def test_drive_present_at_start_is_mounted_privately_processed_and_unmounted(
        fake_mount, fake_nm, leds, tmp_path):
    device = make_stick(tmp_path / "dev", "sdb1", creds="ssid: 'Your-WiFi 100'\npassword: Passwd1234\n")
    mount_root = tmp_path / "mnt"
    mounter = SystemMounter(mount_root)
    mounter.prepare()
    assert stat.S_IMODE(mount_root.stat().st_mode) == 0o700
    status_file = tmp_path / "run" / "status.json"
    engine = UsbEngine(mounter, Provisioner(leds=leds, artifacts_dir=tmp_path / "art"), status_file=status_file)
    engine.start()
    try:
        engine.drive_added(Drive(node_name=str(device), devnode=str(device)))
        assert engine.wait_idle(30)
    finally:
        engine.stop()
    target = str(mount_root / "sdb1")
    assert fake_mount() == [["mount", "-o", MOUNT_OPTIONS, str(device), target], ["umount", target]]
    assert not (mount_root / "sdb1").exists()                     # mount point removed again
    # device-status.txt reached the "device" through the mount
    assert "Connected to WiFi network: Your-WiFi 100" in (device / "device-status.txt").read_text()
    status = json.loads(status_file.read_text())
    assert status["last"]["wifi_ok"] is True and status["mounted"] == []


def test_mount_failure_is_logged_and_leaves_no_mount_point(fake_mount, tmp_path):
    mounter = SystemMounter(tmp_path / "mnt")
    engine = UsbEngine(mounter)
    engine.start()
    try:
        engine.drive_added(Drive(node_name="/dev/sdz1", devnode=str(tmp_path / "missing")))
        assert engine.wait_idle(10)
    finally:
        engine.stop()
    assert engine.mounted() == {}
    assert list((tmp_path / "mnt").iterdir()) == []


def test_subscribers_notified_and_reference_counted(tmp_path):
    notes = Notes()
    engine = UsbEngine(FolderMounter(), notify=notes)
    engine.start()
    try:
        assert engine.subscribe("update", "schedule_usb_update_scan", True, "bridge-1") == 0
        assert engine.subscribe("logs", "log_cb", False, "bridge-2") == 0
        stick = make_stick(tmp_path, files={"update/pkg.deb.gpg": b"x"})
        engine.drive_added(Drive(node_name=str(stick), folder=stick))
        assert engine.wait_idle(10)
        node = str(stick)
        assert notes.received == [
            ("bridge-1", {"path": node, "file_name": "update", "callback_name": "schedule_usb_update_scan",
                          "node_name": node}),
            ("bridge-2", {"path": node, "file_name": "logs", "callback_name": "log_cb", "node_name": node}),
        ]
        assert node in engine.mounted()                 # held by the two subscribers
        assert engine.mount_point_manager(node, 1, "bridge-1") == 0      # increment
        assert engine.mount_point_manager(node, 0, "bridge-1") == 0
        assert engine.mount_point_manager(node, 0, "bridge-1") == 0
        assert engine.mount_point_manager(node, 0, "bridge-1") == 1      # bridge-1 holds nothing any more
        assert node in engine.mounted()
        engine.release_owner("bridge-2")                                 # its connection closed
        assert engine.mounted() == {}
        assert engine.mount_point_manager(node, 0, "bridge-2") == 1      # unknown node now
    finally:
        engine.stop()


def test_late_subscriber_is_told_about_a_mounted_drive(tmp_path):
    notes = Notes()
    engine = UsbEngine(FolderMounter(), notify=notes)
    engine.start()
    try:
        engine.subscribe("update", "cb", True, "a")
        stick = make_stick(tmp_path, files={"update/x": b"1", "logs/y": b"2"})
        engine.drive_added(Drive(node_name=str(stick), folder=stick))
        assert engine.wait_idle(10)
        engine.subscribe("logs", "cb2", True, "b")
        assert [n[1]["file_name"] for n in notes.received] == ["update", "logs"]
        assert engine.subscribe("../etc", "cb", True, "c") == 1
    finally:
        engine.stop()


def test_builtin_names_are_not_processed_twice(fake_nm, tmp_path):
    notes = Notes()
    engine = UsbEngine(FolderMounter(), Provisioner(artifacts_dir=tmp_path / "art"), notify=notes)
    engine.start()
    try:
        engine.subscribe("wifi-creds.txt", "schedule_config_update", True, "bridge-1")
        engine.subscribe("models", "schedule_model_loader", True, "bridge-1")
        stick = make_stick(tmp_path, creds="ssid: Cafe:5G\n")
        (stick / "models").mkdir()
        engine.drive_added(Drive(node_name=str(stick), folder=stick))
        assert engine.wait_idle(20)
    finally:
        engine.stop()
    assert notes.received == []
    assert len(fake_nm.connect_calls()) == 1
    assert engine.mounted() == {}


def test_a_forgotten_reference_is_dropped_after_max_hold(tmp_path):
    engine = UsbEngine(FolderMounter(), notify=Notes(), max_hold_s=0.3)
    engine.start()
    try:
        engine.subscribe("update", "cb", True, "leaky")
        stick = make_stick(tmp_path, files={"update/x": b"1"})
        engine.drive_added(Drive(node_name=str(stick), folder=stick))
        assert engine.wait_idle(10)
        assert str(stick) in engine.mounted()
        wait_until(lambda: engine.mounted() == {}, timeout=10, what="the leaked mount to be released")
    finally:
        engine.stop()


def test_removed_drive_is_detached_lazily(fake_mount, tmp_path):
    device = make_stick(tmp_path / "dev", "sdc1", files={"update/x": b"1"})
    engine = UsbEngine(SystemMounter(tmp_path / "mnt"), notify=Notes())
    engine.start()
    try:
        engine.subscribe("update", "cb", True, "holder")
        drive = Drive(node_name=str(device), devnode=str(device))
        engine.drive_added(drive)
        assert engine.wait_idle(10)
        engine.drive_removed(drive)
        assert engine.wait_idle(10)
    finally:
        engine.stop()
    assert fake_mount()[-1] == ["umount", "-l", str(tmp_path / "mnt" / "sdc1")]
    assert engine.mounted() == {}


def test_status_file_is_ignored_once_its_process_is_gone(tmp_path):
    path = tmp_path / "status.json"
    path.write_text(json.dumps({"pid": 2 ** 22 + 12345, "updated": 1e12, "wifi_busy": True}))
    assert read_status(path) == {}
    path.write_text(json.dumps({"pid": os.getpid(), "updated": 0, "wifi_busy": True}))
    assert read_status(path) == {}                      # stale
    assert read_status(tmp_path / "missing.json") == {}
