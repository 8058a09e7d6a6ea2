"""The first-run wizard's routes: when it opens by itself, finishing/skipping it, and the QR code of
the car's address (only ever of an address of this car)."""

from __future__ import annotations

import socket

from tests.console.conftest import ConsoleClient
from tests.usb import conftest as usb_fixtures
from tests.usb.fake_nm import FakeNetworkManager

fake_nm = usb_fixtures.fake_nm  # the fake NetworkManager on PATH


def test_wizard_opens_on_a_new_car_until_finished(client: ConsoleClient, fake_nm: FakeNetworkManager) -> None:
    state = client.get("/api/setup_wizard").json()
    assert state["success"] and state["show"] and not state["wifi_configured"]   # no Wi-Fi yet
    assert state["hostname"] == socket.gethostname()
    assert client.post("/api/wifi_reset", {"wifi_name": "Your-WiFi 100", "wifi_password": "Passwd1234"}).json()["success"]
    state = client.get("/api/setup_wizard").json()
    assert state["wifi_configured"] is True and not state["show"]
    fake_nm.load()
    fake_nm.state["connected"] = None                                           # out of range: still set up
    fake_nm.save()
    assert client.get("/api/setup_wizard").json()["show"] is False
    # reached over the USB cable: opens again, whatever the Wi-Fi
    usb = client.get("/api/setup_wizard", headers={"Host": "deepracer.aws"}).json()
    assert usb["via_usb"] and usb["show"]
    assert client.post("/api/setup_wizard", {"dismissed": True}).json() == {"success": True, "dismissed": True}
    assert not client.get("/api/setup_wizard", headers={"Host": "deepracer.aws"}).json()["show"]
    answer = client.post("/api/setup_wizard", {"dismissed": "yes"}).json()
    assert answer == {"success": False, "reason": "dismissed must be true or false"}
    assert client.get("/api/setup_wizard").json()["dismissed"] is True            # unchanged


def test_qr_code_only_of_the_cars_own_address(client: ConsoleClient, fake_nm: FakeNetworkManager) -> None:
    client.post("/api/wifi_reset", {"wifi_name": "Your-WiFi 100", "wifi_password": "Passwd1234"})
    answer = client.get("/api/car_address_qr.svg", params={"url": "https://192.168.1.23/"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    assert answer.content.startswith(b"<svg") and b"<path" in answer.content
    host = socket.gethostname().split(".")[0].lower()
    assert client.get("/api/car_address_qr.svg", params={"url": f"https://{host}.local:8443"}).status_code == 200
    for url, reason in (("https://evil.example/", "not an address of this car"),
                        ("javascript:alert(1)", "must be http(s)"),
                        ("https://192.168.1.23/login?next=x", "the car's address only"),
                        ("https://user@192.168.1.23/", "the car's address only"),
                        ("https://192.168.1.23:99999/", "not a URL"),
                        ("", "must be http(s)")):
        refused = client.get("/api/car_address_qr.svg", params={"url": url})
        assert refused.status_code == 400, url
        assert reason in refused.json()["reason"], url


def test_wizard_does_not_open_when_the_network_cannot_be_read(client: ConsoleClient,
                                                             fake_nm: FakeNetworkManager) -> None:
    assert client.get("/api/setup_wizard").json()["show"] is True            # a new car: opens
    fake_nm.state["iwgetid"] = False
    fake_nm.save()
    (fake_nm.bin / "nmcli").write_text("#!/bin/sh\necho 'Error: NetworkManager is not running.' >&2\nexit 8\n")
    state = client.get("/api/setup_wizard").json()
    assert state["wifi_configured"] is None and state["show"] is False          # unknown: not a new car
