"""`python -m usb_wifi_provisioner` as a process, without ROS: drives (folders) plugged in while it
runs are processed; the local socket offers the original USB API and LED hand-over to the stack."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.ros import wait_until
from tests.usb.fake_nm import FakeNetworkManager
from usb_wifi_provisioner.ipc import BridgeClient


class Service:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.nm = FakeNetworkManager(root / "nm")
        self.drives = root / "drives"
        self.run_dir = root / "run"
        self.state = root / "state"
        self.env = dict(os.environ)
        self.env.update(self.nm.env())
        self.env.update({"DEEPRACER_USB_RUN_DIR": str(self.run_dir), "DEEPRACER_STATE_DIR": str(self.state),
                         "DEEPRACER_USB_LEDS": "none"})
        self.log_path = root / "service.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._n = 0

    def start(self) -> subprocess.Popen[bytes]:
        log = open(self.log_path, "ab")
        proc = subprocess.Popen([sys.executable, "-u", "-m", "usb_wifi_provisioner", "--drives-dir", str(self.drives)],
                                env=self.env, stdout=log, stderr=subprocess.STDOUT)
        return proc

    def plug(self, creds: str | None = None, files: dict[str, bytes] | None = None) -> Path:
        """Build the stick aside and move it in whole, as a drive appears at once."""
        self._n += 1
        staging = self.root / f"staging-{self._n}"
        staging.mkdir()
        if creds is not None:
            (staging / "wifi-creds.txt").write_text(creds)
        for rel, data in (files or {}).items():
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / rel).write_bytes(data)
        target = self.drives / f"stick{self._n}"
        staging.rename(target)
        return target

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = Service(tmp_path_factory.mktemp("usb-service"))
    svc.drives.mkdir()
    svc.proc = svc.start()
    socket_path = svc.run_dir / "usb-provisioner.sock"
    wait_until(lambda: socket_path.exists() or svc.proc.poll() is not None, timeout=20,
               what="the provisioner socket")
    assert svc.proc.poll() is None, svc.log()
    yield svc
    if svc.proc.poll() is None:
        svc.proc.send_signal(signal.SIGTERM)
        svc.proc.wait(10)


def test_stick_with_creds_is_processed(service):
    stick = service.plug(creds="ssid: 'Your-WiFi 100'\npassword: 'Passwd1234'\n")
    status = stick / "device-status.txt"
    wait_until(status.exists, timeout=20, what="device-status.txt on the stick")
    text = status.read_text()
    assert "Connected to WiFi network: Your-WiFi 100" in text
    assert "  wlan0: 192.168.1.23" in text
    assert "Passwd1234" not in service.log()
    wait_until(lambda: json.loads((service.run_dir / "status.json").read_text())["last"].get("drive") == str(stick),
               timeout=10, what="the status file")
    state = json.loads((service.run_dir / "status.json").read_text())
    assert state["wifi_busy"] is False and state["last"]["wifi_ok"] is True


def test_bridge_subscription_notification_and_release(service):
    notes: list[dict] = []
    client = BridgeClient(service.run_dir / "usb-provisioner.sock", notes.append)
    client.connect()
    try:
        assert client.subscribe("update", "schedule_usb_update_scan", True) == 0
        stick = service.plug(files={"update/aws-deepracer-core.deb.gpg": b"x"})
        wait_until(lambda: notes, timeout=20, what="the USB notification")
        assert notes[0]["file_name"] == "update"
        assert notes[0]["callback_name"] == "schedule_usb_update_scan"
        assert notes[0]["path"] == str(stick) == notes[0]["node_name"]
        assert str(stick) in client.status()["mounted"]
        assert client.mount_point(str(stick), 0) == 0
        wait_until(lambda: str(stick) not in client.status()["mounted"], timeout=5, what="the release")
        assert client.mount_point(str(stick), 0) == 1
    finally:
        client.close()


def test_leds_go_through_the_connected_stack_and_back_when_it_leaves(service):
    leds: list[dict] = []
    client = BridgeClient(service.run_dir / "usb-provisioner.sock", lambda _n: None, on_led=leds.append)
    client.connect()
    try:
        wait_until(lambda: client.status().get("led_bridge"), timeout=5, what="the hello to be handled")
        service.plug(creds="ssid: Neighbour\npassword: whatever123\n")
        wait_until(lambda: len(leds) >= 3, timeout=20, what="LED effects through the bridge")
        assert [(e["kind"], e["led_index"], e.get("color", e.get("color1"))) for e in leds] == [
            ("blink", 0, "blue"), ("solid", 0, "red"), ("solid", 0, "blue")]   # still on the earlier network
        assert leds[1]["hold"] == 2.0
        client.hello(False)    # the stack's status_led services went away: the service takes the LEDs back
        wait_until(lambda: not client.status().get("led_bridge"), timeout=5, what="the LEDs handed back")
        before = len(leds)
        stick = service.plug(creds="ssid: Neighbour\n")
        wait_until((stick / "device-status.txt").exists, timeout=20, what="a stick processed without LED bridge")
        # a request answered over the same socket after the stick was done: any LED effect the
        # service sent while processing it has been read by now (one stream, read in order)
        assert not client.status().get("led_bridge")
        assert len(leds) == before
    finally:
        client.close()
    # without a connected stack the service drives the LEDs itself (here: none), nothing is sent
    before = len(leds)
    stick = service.plug(creds="ssid: Neighbour\n")
    wait_until((stick / "device-status.txt").exists, timeout=20, what="the next stick")
    assert len(leds) == before


def test_a_second_instance_waits_for_the_first(service):
    second = service.start()
    try:
        wait_until(lambda: "another USB owner holds" in service.log(), timeout=20, what="the second instance to wait")
        assert second.poll() is None
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(10) == 0
    assert (service.run_dir / "usb-provisioner.sock").exists()   # the first one is still serving


def test_stops_cleanly_on_sigterm(service):
    service.proc.send_signal(signal.SIGTERM)
    assert service.proc.wait(10) == 0
    assert not (service.run_dir / "usb-provisioner.sock").exists()
