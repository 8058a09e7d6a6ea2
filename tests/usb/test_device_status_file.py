"""device-status.txt keeps the other cars' blocks and replaces this car's, in the original format."""

from __future__ import annotations

from pathlib import Path

from usb_wifi_provisioner.device_status import merge, render_block, write_device_status

OTHER_CARS = """Hostname: amss-aaaa
Timestamp: 01/02/26 10:00:00
Successfully connected to "Class Wi-Fi":
Connected to WiFi network: Class Wi-Fi
Active connections:
  mlan0: 10.1.1.5

Hostname: amss-mine
Timestamp: 01/02/26 10:01:00
(4) Failed to connect to "Class Wi-Fi":
Not connected to WiFi network.

Hostname: amss-bbbb
Timestamp: 01/02/26 10:02:00
Connected to WiFi network: Class Wi-Fi
Active connections:
  wlan0: 10.1.1.7

"""


def test_block_format_matches_the_original():
    block = render_block("amss-mine", "11/21/26 22:45:01", ['Successfully connected to "Home":', "Device 'wlan0' ok."],
                         "Home", [("wlan0", "192.168.1.23"), ("usb0", "10.0.0.1")])
    assert block == [
        "Hostname: amss-mine",
        "Timestamp: 11/21/26 22:45:01",
        'Successfully connected to "Home":',
        "Device 'wlan0' ok.",
        "Connected to WiFi network: Home",
        "Active connections:",
        "  wlan0: 192.168.1.23",
        "  usb0: 10.0.0.1",
        "",
    ]


def test_not_connected_and_no_interfaces():
    block = render_block("car", "t", [], "", [])
    assert block == ["Hostname: car", "Timestamp: t", "Not connected to WiFi network.", ""]


def test_other_cars_kept_this_car_replaced_at_the_end():
    new = render_block("amss-mine", "11/21/26 22:45:01", ["No change in configuration found, ignoring."], "Home",
                       [("wlan0", "192.168.1.23")])
    text = merge(OTHER_CARS, "AMSS-Mine", new)   # host names compare case-insensitively
    assert text.count("Hostname: amss-mine") == 1
    assert "(4) Failed to connect" not in text
    assert text.startswith("Hostname: amss-aaaa\n")
    assert "Hostname: amss-bbbb\nTimestamp: 01/02/26 10:02:00\n" in text
    assert text.endswith("Hostname: amss-mine\nTimestamp: 11/21/26 22:45:01\nNo change in configuration found, "
                         "ignoring.\nConnected to WiFi network: Home\nActive connections:\n  wlan0: 192.168.1.23\n\n")


def test_report_lines_cannot_break_the_block_structure():
    block = render_block("car", "t", ["first", "", "   ", "Hostname: evil"], "", [])
    assert "" not in block[:-1]
    assert sum(1 for line in block if line.lstrip().startswith("Hostname:")) == 1


def test_written_file_masks_passwords_and_leaves_no_temporary_file(tmp_path: Path):
    # (a write killed half-way: runtime/atomic.py, tests/foundation/test_atomic_write_crash.py)
    (tmp_path / "device-status.txt").write_text(OTHER_CARS)
    path = write_device_status(tmp_path, "amss-mine", "t", ["nmcli said s3cret-pw somehow"], "Home",
                               [("wlan0", "192.168.1.23")], secrets=["s3cret-pw"])
    text = path.read_text()
    assert "s3cret-pw" not in text
    assert "Hostname: amss-aaaa" in text and "Hostname: amss-bbbb" in text
    assert [p.name for p in tmp_path.iterdir()] == ["device-status.txt"]  # no temp file left behind


def test_crlf_files_from_windows_stay_crlf(tmp_path: Path):
    (tmp_path / "device-status.txt").write_bytes(OTHER_CARS.replace("\n", "\r\n").encode())
    write_device_status(tmp_path, "amss-new", "t", [], "", [])
    data = (tmp_path / "device-status.txt").read_bytes()
    assert b"Hostname: amss-new\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")
