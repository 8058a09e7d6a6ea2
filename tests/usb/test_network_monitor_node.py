"""network_monitor_node: connection status published, Wi-Fi LED in sync through led_solid, and left
alone while the USB provisioner applies wifi-creds.txt."""

from __future__ import annotations

import json
import os
import time

import pytest

from tests.support.ros import wait_until
from tests.usb.ros_support import LedRecorder

pytestmark = pytest.mark.ros


def test_status_and_wifi_led(ros_node, start_node, fake_nm, usb_run_dir):
    from deepracer_interfaces_pkg.msg import NetworkConnectionStatus

    leds = LedRecorder(ros_node)
    statuses = ros_node.collect(NetworkConnectionStatus, "/deepracer_systems_pkg/network_connection_status", 10)
    node = start_node("deepracer_systems_pkg.network_monitor_node",
                      ros_args=["-p", "status_period:=0.2", "-p", "led_period:=0.1"],
                      env={**fake_nm.env(), "DEEPRACER_USB_RUN_DIR": str(usb_run_dir)})
    wait_until(lambda: statuses, timeout=30, what="a network status message")
    assert statuses[-1].network_connected is False          # only the USB gadget has an address
    wait_until(lambda: ("solid", 0, "no_color", 0.0) in leds.snapshot(), timeout=10, what="the Wi-Fi LED off")

    fake_nm.state["connected"] = "Your-WiFi 100"
    fake_nm.save()
    wait_until(lambda: statuses[-1].network_connected, timeout=10, what="network_connected true")
    wait_until(lambda: leds.snapshot()[-1] == ("solid", 0, "blue", 0.0), timeout=10, what="the Wi-Fi LED blue")
    count = len(leds.snapshot())

    # The provisioner is applying a wifi-creds.txt: the LED is its own until it is done.
    usb_run_dir.mkdir(parents=True, exist_ok=True)
    status_file = usb_run_dir / "status.json"
    status_file.write_text(json.dumps({"pid": os.getpid(), "updated": time.time(), "wifi_busy": True}))
    n = len(statuses)
    wait_until(lambda: len(statuses) >= n + 2, timeout=10, what="the node to see the busy provisioner")
    fake_nm.state["connected"] = None
    fake_nm.save()
    wait_until(lambda: statuses[-1].network_connected is False, timeout=10, what="network_connected false")
    n = len(statuses)
    wait_until(lambda: len(statuses) >= n + 3, timeout=10, what="three more status periods")
    assert len(leds.snapshot()) == count                     # paused: nothing sent
    status_file.write_text(json.dumps({"pid": os.getpid(), "updated": time.time(), "wifi_busy": False}))
    wait_until(lambda: leds.snapshot()[-1] == ("solid", 0, "no_color", 0.0), timeout=10,
               what="the Wi-Fi LED synced again")
    # only changes are sent, not one call every period
    n = len(statuses)
    wait_until(lambda: len(statuses) >= n + 3, timeout=10, what="three more status periods")
    assert leds.snapshot()[-2:] == [("solid", 0, "blue", 0.0), ("solid", 0, "no_color", 0.0)]
    assert node.proc.poll() is None
