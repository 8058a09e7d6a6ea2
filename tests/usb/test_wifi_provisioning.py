"""A drive with wifi-creds.txt: nmcli connection, LED feedback and device-status.txt, with a fake
nmcli answering like the real one for success, wrong password and unknown SSID."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.usb.conftest import make_stick
from tests.usb.test_creds_parsing import GUIDE_TEMPLATE, GUIDE_TROUBLESHOOTING
from usb_wifi_provisioner.leds import BLUE, NO_COLOR, RED, WIFI_LED
from usb_wifi_provisioner.provision import Provisioner

HOST = "amss-test"
STAMP = "11/21/26 22:45:01"


@pytest.fixture
def provisioner(fake_nm, leds, tmp_path):
    return Provisioner(leds=leds, artifacts_dir=tmp_path / "artifacts", hostname=lambda: HOST,
                       timestamp=lambda: STAMP)


def status_text(stick: Path) -> str:
    return (stick / "device-status.txt").read_text()


def test_success_reports_ip_and_turns_the_wifi_led_blue(provisioner, fake_nm, leds, tmp_path):
    stick = make_stick(tmp_path, creds="ssid: 'Your-WiFi 100'\npassword: 'Passwd1234'\n")
    events: list[str] = []
    report = provisioner.process_drive(stick, finish=lambda: events.append(f"finish after {len(leds.effects)} effects"))
    assert report.wifi_ok is True
    assert fake_nm.connect_calls() == [["nmcli", "device", "wifi", "connect", "Your-WiFi 100", "password",
                                        "Passwd1234", "ifname", "wlan0"]]
    lines = status_text(stick).splitlines()
    assert lines[0] == f"Hostname: {HOST}"
    assert lines[1] == f"Timestamp: {STAMP}"
    assert lines[2] == 'Successfully connected to "Your-WiFi 100":'
    assert lines[3].startswith("Device 'wlan0' successfully activated with '")
    assert lines[4:] == ["Connected to WiFi network: Your-WiFi 100", "Active connections:", "  wlan0: 192.168.1.23",
                         "  usb0: 10.0.0.1", ""]
    assert status_text(stick).endswith("  usb0: 10.0.0.1\n\n")   # the block ends with a blank line
    assert leds.effects == [("blink", WIFI_LED, BLUE, NO_COLOR, 0.2), ("solid", WIFI_LED, BLUE, 0.0)]
    # the drive is released before the LED tells the user to pull it
    assert events == ["finish after 1 effects"]


def test_wrong_password(provisioner, fake_nm, leds, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    stick = make_stick(tmp_path, creds="ssid: 'Your-WiFi 100'\npassword: 'Wrong-Pass-42'\n")
    report = provisioner.process_drive(stick)
    assert report.wifi_ok is False
    text = status_text(stick)
    assert '(4) Failed to connect to "Your-WiFi 100":' in text
    assert "Secrets were required" in text
    assert 'The password for "Your-WiFi 100" was not accepted' in text
    assert "Not connected to WiFi network." in text
    assert leds.effects == [("blink", WIFI_LED, BLUE, NO_COLOR, 0.2), ("solid", WIFI_LED, RED, 2.0),
                            ("solid", WIFI_LED, NO_COLOR, 0.0)]
    assert "Wrong-Pass-42" not in text
    assert "Wrong-Pass-42" not in caplog.text


def test_unknown_ssid_lists_the_visible_networks(provisioner, fake_nm, leds, tmp_path):
    stick = make_stick(tmp_path, creds="ssid: Neighbour\npassword: whatever123\n")
    report = provisioner.process_drive(stick)
    assert report.wifi_ok is False
    text = status_text(stick)
    assert '(10) Failed to connect to "Neighbour":' in text
    assert "Error: No network with SSID 'Neighbour' found." in text
    assert 'Visible networks: "Your-WiFi 100", " MyHomeWi-Fi", "Cafe:5G".' in text
    assert ("solid", WIFI_LED, RED, 2.0) in leds.effects


def test_failure_while_on_another_network_keeps_the_led_blue(provisioner, fake_nm, leds, tmp_path):
    fake_nm.state["connected"] = "Cafe:5G"
    fake_nm.save()
    stick = make_stick(tmp_path, creds="ssid: 'Your-WiFi 100'\npassword: nope-nope\n")
    provisioner.process_drive(stick)
    assert leds.effects[-2:] == [("solid", WIFI_LED, RED, 2.0), ("solid", WIFI_LED, BLUE, 0.0)]
    assert "Connected to WiFi network: Cafe:5G" in status_text(stick)


def test_already_connected_is_no_change(provisioner, fake_nm, tmp_path):
    fake_nm.state["connected"] = "Your-WiFi 100"
    fake_nm.save()
    stick = make_stick(tmp_path, creds="ssid: Your-WiFi 100\npassword: Passwd1234\n")
    assert provisioner.process_drive(stick).wifi_ok is True
    assert fake_nm.connect_calls() == []
    assert "No change in configuration found, ignoring." in status_text(stick)


def test_guide_troubleshooting_example_connects(provisioner, fake_nm, tmp_path):
    stick = make_stick(tmp_path, creds=GUIDE_TROUBLESHOOTING)
    assert provisioner.process_drive(stick).wifi_ok is True
    assert fake_nm.connect_calls()[0][4] == " MyHomeWi-Fi"


def test_spaces_around_the_ssid_retried_against_the_visible_name(provisioner, fake_nm, tmp_path):
    fake_nm.state["networks"][1]["ssid"] = "MyHomeWi-Fi"   # the real network has no leading space
    fake_nm.save()
    stick = make_stick(tmp_path, creds=GUIDE_TROUBLESHOOTING)
    report = provisioner.process_drive(stick)
    assert report.wifi_ok is True
    assert [c[4] for c in fake_nm.connect_calls()] == [" MyHomeWi-Fi", "MyHomeWi-Fi"]
    assert 'trying "MyHomeWi-Fi"' in status_text(stick)
    assert "Connected to WiFi network: MyHomeWi-Fi" in status_text(stick)


def test_upper_case_keys_work_like_the_original(provisioner, fake_nm, tmp_path):
    stick = make_stick(tmp_path, creds="SSID: 'Your-WiFi 100'\nPassword: Passwd1234\n")
    assert provisioner.process_drive(stick).wifi_ok is True


def test_empty_template_lists_visible_networks_to_uncomment(provisioner, fake_nm, leds, tmp_path):
    stick = make_stick(tmp_path, creds=GUIDE_TEMPLATE)
    report = provisioner.process_drive(stick)
    assert report.wifi_ok is False
    assert fake_nm.connect_calls() == []
    creds = (stick / "wifi-creds.txt").read_text()
    assert creds.startswith(GUIDE_TEMPLATE.rstrip("\n"))          # the user's file is kept
    assert "#ssid: 'Your-WiFi 100'\n#ssid: ' MyHomeWi-Fi'\n#ssid: 'Cafe:5G'\n" in creds
    assert creds.count("\npassword: ''") == 1                     # the template's own password line
    assert "wifi-creds.txt: No SSID found in WiFi configuration file." in status_text(stick)
    assert ("solid", WIFI_LED, RED, 2.0) in leds.effects

    # The user removes the # of one network and types its password: the car connects, and the
    # list is not rewritten any more.
    edited = creds.replace("#ssid: 'Your-WiFi 100'", "ssid: 'Your-WiFi 100'").replace(
        "password: ''", "password: 'Passwd1234'")
    (stick / "wifi-creds.txt").write_text(edited)
    assert provisioner.process_drive(stick).wifi_ok is True
    assert (stick / "wifi-creds.txt").read_text() == edited
    assert status_text(stick).count(f"Hostname: {HOST}") == 1


def test_empty_file_gets_the_list_and_a_password_line(provisioner, fake_nm, tmp_path):
    stick = make_stick(tmp_path, creds="")
    provisioner.process_drive(stick)
    assert (stick / "wifi-creds.txt").read_text().rstrip("\n").endswith("password: ''")
    provisioner.process_drive(stick)   # processed twice: still one list
    creds = (stick / "wifi-creds.txt").read_text()
    assert creds.count("#ssid: 'Cafe:5G'") == 1
    assert creds.count("password: ''") == 1
    assert creds.rstrip("\n").endswith("# <<< end of the list of Wi-Fi networks")


def test_several_creds_files_are_processed_in_order_and_reported(provisioner, fake_nm, tmp_path):
    stick = make_stick(tmp_path, creds="ssid: Neighbour\npassword: x1234567\n")
    (stick / "wifi-creds.txt.txt").write_text("ssid: 'Your-WiFi 100'\npassword: Passwd1234\n")
    report = provisioner.process_drive(stick)
    files = [w.file for w in report.wifi]
    assert files[0] == "wifi-creds.txt" and files[-1] == "wifi-creds.txt.txt"
    assert report.wifi_ok is True          # the last one decides the connection
    text = status_text(stick)
    assert "Wi-Fi configuration files; processing them in this order: wifi-creds.txt" in text
    assert text.index("Failed to connect") < text.index("Successfully connected")


def test_drive_without_creds_or_models_is_left_untouched(provisioner, fake_nm, leds, tmp_path):
    stick = make_stick(tmp_path, files={"photos/cat.jpg": b"\xff\xd8"})
    released = []
    report = provisioner.process_drive(stick, finish=lambda: released.append(True))
    assert not report.handled
    assert released == [True]
    assert sorted(p.name for p in stick.iterdir()) == ["photos"]
    assert leds.effects == []
    assert fake_nm.calls() == []
