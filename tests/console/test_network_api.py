"""Network routes through drivers.network, with a fake `nmcli`/`iwgetid` first on PATH."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.console.conftest import ConsoleClient
from tests.console.fake_car import FakeCar
from tests.usb.fake_nm import FakeNetworkManager


@pytest.fixture
def fake_nm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNetworkManager]:
    nm = FakeNetworkManager(tmp_path / "fake-nm")
    for key, value in nm.env().items():
        monkeypatch.setenv(key, value)
    yield nm


def test_network_details(client: ConsoleClient, car: FakeCar, fake_nm: FakeNetworkManager) -> None:
    fake_nm.state["connected"] = "Your-WiFi 100"
    fake_nm.state["devices"][0][2] = "connected"
    fake_nm.state["addresses"]["eth0"] = "192.168.7.9"
    fake_nm.save()
    body = client.get("/api/get_network_details").json()
    assert body["success"] is True
    assert body["SSID"] == "Your-WiFi 100"
    assert body["is_usb_connected"] is False
    addresses = body["ip_address"].split(", ")
    assert "192.168.7.9" in addresses
    assert "10.0.0.1" not in addresses and "127.0.0.1" not in addresses
    car.otg = True
    assert client.get("/api/get_network_details").json()["is_usb_connected"] is True


def test_is_usb_connected_needs_the_usb_address(client: ConsoleClient, car: FakeCar) -> None:
    car.otg = True
    assert client.get("/api/is_usb_connected").json() == {"success": True, "is_usb_connected": False}
    answer = client.get("/api/is_usb_connected", headers={"Referer": "https://deepracer.aws/home"}).json()
    assert answer == {"success": True, "is_usb_connected": True}
    car.otg = False
    answer = client.get("/api/is_usb_connected", headers={"Referer": "https://deepracer.aws/home"}).json()
    assert answer == {"success": True, "is_usb_connected": False}


def test_available_wifi_info(client: ConsoleClient, fake_nm: FakeNetworkManager) -> None:
    networks = client.get("/api/available_wifi_info").json()
    assert networks[0] == {"ssid": "Your-WiFi 100", "strength": 3, "security_info": "WPA2"}
    assert [n["ssid"] for n in networks] == ["Your-WiFi 100", " MyHomeWi-Fi", "Cafe:5G"]


def test_wifi_reset_connects(client: ConsoleClient, fake_nm: FakeNetworkManager) -> None:
    answer = client.post("/api/wifi_reset", {"wifi_name": "Your-WiFi 100", "wifi_password": "Passwd1234"}).json()
    assert answer["success"] is True
    assert "192.168.1.23" in answer["ip_address"]
    assert fake_nm.load()["connected"] == "Your-WiFi 100"


def test_wifi_reset_wrong_password(client: ConsoleClient, fake_nm: FakeNetworkManager) -> None:
    answer = client.post("/api/wifi_reset", {"wifi_name": "Your-WiFi 100", "wifi_password": "nope"}).json()
    assert answer == {"success": False, "reason": "Could not connect to the Wi-Fi network. Check your network "
                                                  "ID and password and try again."}
    assert fake_nm.load()["connected"] is None


def test_wifi_reset_bad_bodies(client: ConsoleClient, fake_nm: FakeNetworkManager) -> None:
    for body, reason in (({}, "wifi_name is required"), ({"wifi_name": 5}, "wifi_name must be a string"),
                         ({"wifi_name": "  "}, "wifi_name is required"),
                         ({"wifi_name": "x" * 40}, "wifi_name is too long")):
        assert client.post("/api/wifi_reset", body).json() == {"success": False, "reason": reason}
    assert fake_nm.connect_calls() == []
