"""drivers.network against a fake nmcli/iwgetid on PATH (the contract the console and
the network monitor use too)."""

from __future__ import annotations

import logging

from drivers import network


def test_wifi_interface_is_detected_not_hard_coded(fake_nm):
    fake_nm.state["wifi_iface"] = "wlp2s0"
    fake_nm.state["devices"][0] = ["wlp2s0", "wifi", "disconnected"]
    fake_nm.save()
    assert network.wifi_interface() == "wlp2s0"


def test_no_wifi_interface(fake_nm):
    fake_nm.state["devices"] = [["eth0", "ethernet", "connected"], ["lo", "loopback", "unmanaged"]]
    fake_nm.save()
    assert network.wifi_interface() is None


def test_connect_success_uses_the_detected_interface(fake_nm):
    fake_nm.state["wifi_iface"] = "mlan1"
    fake_nm.state["devices"][0] = ["mlan1", "wifi", "disconnected"]
    fake_nm.save()
    ok, message = network.connect("Your-WiFi 100", "Passwd1234")
    assert ok
    assert "successfully activated" in message
    assert fake_nm.connect_calls() == [
        ["nmcli", "device", "wifi", "connect", "Your-WiFi 100", "password", "Passwd1234", "ifname", "mlan1"]]
    assert network.current_ssid() == "Your-WiFi 100"


def test_connect_wrong_password(fake_nm, caplog):
    caplog.set_level(logging.DEBUG)
    result = network.connect_detailed("Your-WiFi 100", "wrong-password")
    assert not result.ok
    assert result.returncode == 4
    assert result.wrong_password and not result.ssid_not_found
    assert "Secrets were required" in result.message
    assert "wrong-password" not in result.message
    assert "wrong-password" not in caplog.text
    # the profile the failed attempt created is deleted, so the right password works next time
    assert "Your-WiFi 100" not in [p["name"] for p in fake_nm.load()["profiles"]]
    assert network.connect("Your-WiFi 100", "Passwd1234")[0]


def test_connect_unknown_ssid(fake_nm):
    result = network.connect_detailed("Nope", "whatever1")
    assert not result.ok
    assert result.returncode == 10
    assert result.ssid_not_found
    assert result.lines == ["Error: No network with SSID 'Nope' found."]


def test_open_network_without_password(fake_nm):
    ok, _message = network.connect("Cafe:5G", "")
    assert ok
    assert fake_nm.connect_calls()[-1] == ["nmcli", "device", "wifi", "connect", "Cafe:5G", "ifname", "wlan0"]


def test_stale_profile_with_an_old_password_is_replaced(fake_nm):
    fake_nm.state["profiles"].append({"name": "Your-WiFi 100", "type": "802-11-wireless", "psk": "old-password"})
    fake_nm.save()
    result = network.connect_detailed("Your-WiFi 100", "Passwd1234")
    assert result.ok
    assert ["nmcli", "connection", "delete", "id", "Your-WiFi 100"] in fake_nm.calls()
    assert len(fake_nm.connect_calls()) == 2


def test_connect_when_already_connected_does_not_touch_the_connection(fake_nm):
    fake_nm.state["connected"] = "Your-WiFi 100"
    fake_nm.save()
    ok, message = network.connect("Your-WiFi 100", "Passwd1234")
    assert ok and "Already connected" in message
    assert fake_nm.connect_calls() == []


def test_current_ssid_with_iwgetid_and_with_nmcli_only(fake_nm):
    assert network.current_ssid() == ""
    fake_nm.state["connected"] = "Cafe:5G"
    fake_nm.save()
    assert network.current_ssid() == "Cafe:5G"
    assert ["iwgetid", "-r"] in fake_nm.calls()
    fake_nm.state["iwgetid"] = False  # Ubuntu 24.04 without wireless-tools
    fake_nm.save()
    before = len(fake_nm.calls())
    assert network.current_ssid() == "Cafe:5G"
    assert all(c[0] == "nmcli" for c in fake_nm.calls()[before:])


def test_scan_networks_like_available_wifi_info(fake_nm):
    nets = network.scan_networks()
    assert nets == [
        {"ssid": "Your-WiFi 100", "strength": 3, "security_info": "WPA2"},   # strongest of the two entries
        {"ssid": " MyHomeWi-Fi", "strength": 3, "security_info": "WPA2"},
        {"ssid": "Cafe:5G", "strength": 2, "security_info": ""},             # colon survives nmcli escaping
    ]


def test_ip_addresses_skip_loopback_and_the_usb_gadget(fake_nm):
    assert network.ip_addresses() == []
    assert not network.network_connected()
    fake_nm.state["connected"] = "Your-WiFi 100"
    fake_nm.state["addresses"]["eth0"] = "172.16.0.9"
    fake_nm.save()
    assert network.ip_addresses() == ["192.168.1.23", "172.16.0.9"]
    assert ("usb0", "10.0.0.1") in network.interface_addresses()
    assert network.network_connected()


def test_missing_nmcli_is_not_a_crash(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert network.current_ssid() == ""
    assert network.scan_networks() == []
    assert network.wifi_interface() is None
    ok, message = network.connect("Home", "password1")
    assert not ok and "not found" in message
