"""Which udev block devices are USB drives to mount (USB sticks, card readers: yes; internal disks,
loop devices, partition tables: no), and the pyudev source on this machine's real /sys."""

from __future__ import annotations

from tests.support.ros import wait_until
from usb_wifi_provisioner.drives import FolderDriveSource, UdevDriveSource, is_usb_filesystem

USB_PATH = "/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host2/target2:0:0/2:0:0:0/block/sda"

# Properties as udev reports them for a FAT32 USB stick (partitioned) on Ubuntu 22.04.
STICK_DISK = {"SUBSYSTEM": "block", "DEVTYPE": "disk", "DEVNAME": "/dev/sda", "MAJOR": "8", "ID_BUS": "usb",
              "ID_PART_TABLE_TYPE": "dos", "ID_USB_DRIVER": "usb-storage"}
STICK_PART = {"SUBSYSTEM": "block", "DEVTYPE": "partition", "DEVNAME": "/dev/sda1", "MAJOR": "8", "ID_BUS": "usb",
              "ID_FS_USAGE": "filesystem", "ID_FS_TYPE": "vfat", "ID_FS_LABEL": "DEEPRACER"}
SATA_PART = {"SUBSYSTEM": "block", "DEVTYPE": "partition", "DEVNAME": "/dev/sda2", "MAJOR": "8", "ID_BUS": "ata",
             "ID_FS_USAGE": "filesystem", "ID_FS_TYPE": "ext4"}


def test_usb_partition_with_a_file_system_is_mounted():
    assert is_usb_filesystem(STICK_PART, USB_PATH + "/sda1")


def test_partitioned_usb_disk_itself_is_not():
    assert not is_usb_filesystem(STICK_DISK, USB_PATH)


def test_superfloppy_stick_without_partition_table_is():
    disk = dict(STICK_DISK, ID_FS_USAGE="filesystem", ID_FS_TYPE="exfat")
    del disk["ID_PART_TABLE_TYPE"]
    assert is_usb_filesystem(disk, USB_PATH)


def test_internal_sata_disk_is_never_touched_even_as_sd_major_8():
    # the original mounted anything with MAJOR 8; an x86 box's system disk is sda too
    assert not is_usb_filesystem(SATA_PART, "/sys/devices/pci0000:00/0000:00:17.0/ata1/host0/block/sda/sda2")


def test_swap_and_encrypted_usb_partitions_are_skipped():
    assert not is_usb_filesystem(dict(STICK_PART, ID_FS_USAGE="other", ID_FS_TYPE="swap"), USB_PATH + "/sda1")
    assert not is_usb_filesystem(dict(STICK_PART, ID_FS_USAGE="crypto"), USB_PATH + "/sda1")


def test_without_udev_database_the_kernel_path_tells_usb():
    bare = {"SUBSYSTEM": "block", "DEVTYPE": "partition", "DEVNAME": "/dev/sdb1", "MAJOR": "8"}
    assert is_usb_filesystem(bare, USB_PATH + "/sdb1")
    assert not is_usb_filesystem(bare, "/sys/devices/virtual/block/loop0")
    assert not is_usb_filesystem(dict(bare, DEVTYPE="disk", ID_PART_TABLE_TYPE="gpt"), USB_PATH)


def test_pyudev_source_on_this_machine_picks_only_usb_drives():
    added: list = []
    source = UdevDriveSource(added.append, added.append)
    import pyudev

    usb_nodes = {d.device_node for d in pyudev.Context().list_devices(subsystem="block") if "/usb" in d.sys_path}
    found = source.existing()
    assert {d.node_name for d in found} <= usb_nodes        # never a virtio, loop, zram or SATA disk
    source.start()                                          # netlink monitor + enumeration of present drives
    try:
        assert [d.node_name for d in added] == [d.node_name for d in found]
    finally:
        source.stop()


def test_folder_drives_for_the_simulator_and_tests(tmp_path):
    root = tmp_path / "usb"
    added: list = []
    removed: list = []
    source = FolderDriveSource(root, added.append, removed.append, interval=0.02)
    (tmp_path / "usb").mkdir()
    (root / "present-at-start").mkdir()
    source.start()
    try:
        assert [d.label for d in added] == ["present-at-start"]
        staging = tmp_path / "staging"
        staging.mkdir()
        (staging / "wifi-creds.txt").write_text("ssid: x")
        staging.rename(root / "plugged")        # "plugging in": appears complete
        wait_until(lambda: len(added) == 2, timeout=5, what="the new folder drive")
        assert added[1].folder == root / "plugged"
        (root / "present-at-start").rmdir()
        wait_until(lambda: removed, timeout=5, what="the removed folder drive")
        assert removed[0].label == "present-at-start"
    finally:
        source.stop()


class FakeUdevEvent:
    """What pyudev's MonitorObserver hands over: action, device node, properties, sys path."""

    def __init__(self, action: str, props: dict[str, str], sys_path: str) -> None:
        self.action = action
        self.device_node = props.get("DEVNAME")
        self.properties = props
        self.sys_path = sys_path


def test_change_events_from_our_own_mount_do_not_reprocess_the_drive():
    added: list = []
    removed: list = []
    source = UdevDriveSource(added.append, removed.append)
    part = USB_PATH + "/sda1"
    source._event(FakeUdevEvent("add", STICK_PART, part))
    # udev's "watch" rule: closing the device after mount/umount sends "change" events
    source._event(FakeUdevEvent("change", STICK_PART, part))
    source._event(FakeUdevEvent("change", STICK_PART, part))
    assert [d.node_name for d in added] == ["/dev/sda1"]
    source._event(FakeUdevEvent("remove", STICK_PART, part))
    assert [d.node_name for d in removed] == ["/dev/sda1"]
    source._event(FakeUdevEvent("add", STICK_PART, part))          # plugged in again: processed again
    assert [d.node_name for d in added] == ["/dev/sda1", "/dev/sda1"]
    # a card reader: the medium appears as a "change" of a device never reported
    reader = dict(STICK_DISK, DEVNAME="/dev/sdc", ID_FS_USAGE="filesystem", ID_FS_TYPE="vfat")
    del reader["ID_PART_TABLE_TYPE"]
    source._event(FakeUdevEvent("change", reader, USB_PATH.replace("sda", "sdc")))
    assert added[-1].node_name == "/dev/sdc"
    source._event(FakeUdevEvent("change", SATA_PART, "/sys/devices/pci0000:00/0000:00:17.0/ata1/block/sda/sda2"))
    assert len(added) == 3
