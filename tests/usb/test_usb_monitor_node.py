"""usb_monitor_node with the USB provisioner service running (bridge mode): the original services
and notification topic on the ROS graph, LED effects played through the status_led services."""

from __future__ import annotations

import signal

import pytest

from tests.support.ros import RosTestNode, node_processes, wait_until
from tests.usb.ros_support import LedRecorder
from tests.usb.test_provisioner_service import Service
from usb_wifi_provisioner.ipc import BridgeClient

pytestmark = pytest.mark.ros


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    svc = Service(tmp_path_factory.mktemp("usb-bridge"))
    svc.drives.mkdir()
    svc.proc = svc.start()
    wait_until(lambda: (svc.run_dir / "usb-provisioner.sock").exists() or svc.proc.poll() is not None,
               timeout=20, what="the provisioner socket")
    assert svc.proc.poll() is None, svc.log()
    ros = RosTestNode("usb_monitor_test")
    leds = LedRecorder(ros)
    with node_processes(tmp_path_factory.mktemp("usb-bridge-nodes")) as start:
        node = start("usb_monitor_pkg.usb_monitor_node", env=svc.env, ros_args=["-p", "reconnect_period:=0.2"])
        from deepracer_interfaces_pkg.msg import USBFileSystemNotificationMsg

        notes = ros.collect(USBFileSystemNotificationMsg, "/usb_monitor_pkg/usb_file_system_notification", 10)
        wait_until(lambda: "bridge mode" in node.log_text() or node.proc.poll() is not None, timeout=30,
                   what="usb_monitor_node to start")
        assert node.proc.poll() is None, node.log_text()
        yield svc, ros, leds, notes, node
    ros.close()
    svc.proc.send_signal(signal.SIGTERM)
    svc.proc.wait(10)


def test_subscribe_notify_and_release_through_ros(stack):
    from deepracer_interfaces_pkg.srv import USBFileSystemSubscribeSrv, USBMountPointManagerSrv

    svc, ros, _leds, notes, _node = stack
    request = USBFileSystemSubscribeSrv.Request()
    request.file_name, request.callback_name, request.verify_name_exists = "update", "schedule_usb_update_scan", True
    assert ros.call(USBFileSystemSubscribeSrv, "/usb_monitor_pkg/usb_file_system_subscribe", request).error == 0
    stick = svc.plug(files={"update/aws-deepracer-core_2.0.deb.gpg": b"x"})
    wait_until(lambda: notes, timeout=20, what="the notification on the topic")
    msg = notes[0]
    assert (msg.path, msg.file_name, msg.callback_name, msg.node_name) == (
        str(stick), "update", "schedule_usb_update_scan", str(stick))
    release = USBMountPointManagerSrv.Request()
    release.node_name, release.action = msg.node_name, 0
    assert ros.call(USBMountPointManagerSrv, "/usb_monitor_pkg/usb_mount_point_manager", release).error == 0
    assert ros.call(USBMountPointManagerSrv, "/usb_monitor_pkg/usb_mount_point_manager", release).error == 1


def test_provisioner_leds_go_through_the_status_led_services(stack):
    svc, _ros, leds, _notes, _node = stack
    probe = BridgeClient(svc.run_dir / "usb-provisioner.sock", lambda _n: None)
    probe.connect()
    try:   # the node hands itself in for the LEDs once it sees the status_led services
        wait_until(lambda: probe.status().get("led_bridge"), timeout=20, what="the node to take the LEDs")
    finally:
        probe.close()
    leds.clear()
    stick = svc.plug(creds="ssid: 'Your-WiFi 100'\npassword: 'not-the-password'\n")
    wait_until(lambda: len(leds.snapshot()) >= 3, timeout=30, what="three LED effects")
    assert leds.snapshot() == [("blink", 0, "blue", "no_color", 0.2), ("solid", 0, "red", 2.0),
                               ("solid", 0, "no_color", 0.0)]
    assert "(4) Failed to connect" in (stick / "device-status.txt").read_text()


def test_node_reconnects_when_the_service_restarts(stack):
    from deepracer_interfaces_pkg.srv import USBFileSystemSubscribeSrv  # noqa: F401  (subscription kept)

    svc, _ros, _leds, notes, node = stack
    svc.proc.send_signal(signal.SIGTERM)
    assert svc.proc.wait(10) == 0
    svc.proc = svc.start()
    wait_until(lambda: node.log_text().count("connected to the USB provisioner") >= 1, timeout=30,
               what="the node to reconnect")
    before = len(notes)
    svc.plug(files={"update/second.deb.gpg": b"y"})
    # the node re-sent its "update" subscription after reconnecting
    wait_until(lambda: len(notes) > before, timeout=20, what="a notification after the restart")
    assert notes[-1].file_name == "update"
