"""The pty RPLidar simulator speaks the real serial protocol (checked byte by byte with pyserial)."""

from __future__ import annotations

import struct
import time

import pytest
import serial

from sim.rplidar_device import RplidarDevice, descriptor, encode_node, ring_scan


@pytest.fixture
def device_and_port():
    device = RplidarDevice(ring_scan(1234.5, points=90, quality=40), scan_hz=20)
    port = serial.Serial(device.port, 115200, timeout=1.0)
    try:
        yield device, port
    finally:
        port.close()
        device.close()


def _read(port: serial.Serial, n: int) -> bytes:
    data = port.read(n)
    assert len(data) == n, f"expected {n} bytes, got {data!r}"
    return data


def test_get_info_and_health(device_and_port) -> None:
    device, port = device_and_port
    port.write(b"\xa5\x50")
    assert _read(port, 7) == bytes([0xA5, 0x5A, 0x14, 0, 0, 0, 0x04])
    info = _read(port, 20)
    assert info[:4] == bytes([0x18, 29, 1, 7])  # model, firmware minor, major, hardware
    assert info[4:] == bytes(range(0x10, 0x20))
    port.write(b"\xa5\x52")
    assert _read(port, 7) == bytes([0xA5, 0x5A, 0x03, 0, 0, 0, 0x06])
    assert _read(port, 3) == b"\x00\x00\x00"
    device.set_health(2, 0x1234)
    port.write(b"\xa5\x52")
    _read(port, 7)
    assert struct.unpack("<BH", _read(port, 3)) == (2, 0x1234)


def test_scan_stream_and_stop(device_and_port) -> None:
    device, port = device_and_port
    port.write(b"\xa5\x20")
    assert _read(port, 7) == bytes([0xA5, 0x5A, 0x05, 0, 0, 0x40, 0x81])
    nodes = [_read(port, 5) for _ in range(180)]  # two revolutions of 90 nodes
    starts = [i for i, n in enumerate(nodes) if n[0] & 1]
    assert starts == [0, 90]
    for raw in nodes:
        assert (raw[0] & 1) != ((raw[0] >> 1) & 1)  # S and !S
        assert raw[1] & 1 == 1  # check bit
        assert raw[0] >> 2 == 40
        assert (raw[3] | raw[4] << 8) == 4938  # 1234.5 mm * 4
    angles = [((n[1] >> 1) | (n[2] << 7)) / 64.0 for n in nodes[:90]]
    assert angles == [i * 4.0 for i in range(90)]
    port.write(b"\xa5\x25")
    deadline = time.monotonic() + 2
    while device.scanning and time.monotonic() < deadline:
        time.sleep(0.005)
    assert not device.scanning
    port.reset_input_buffer()
    port.timeout = 0.2
    assert port.read(50) == b""  # quiet after STOP


def test_motor_pwm_with_checksum_and_reset(device_and_port) -> None:
    device, port = device_and_port
    payload = struct.pack("<H", 660)
    request = bytes([0xA5, 0xF0, 2]) + payload
    checksum = 0
    for byte in request:
        checksum ^= byte
    port.write(request + bytes([checksum]))
    port.write(bytes([0xA5, 0xF0, 2, 0x10, 0x00, 0x00]))  # bad checksum: ignored
    port.write(b"\xa5\x52")
    _read(port, 10)
    assert device.motor_pwm == 660
    assert device.command_names() == ["SET_MOTOR_PWM", "GET_HEALTH"]
    port.write(b"\xa5\x40")
    banner = port.read_until(b"Model: 24\r\n")
    assert banner.startswith(b"RP LIDAR System.") and device.motor_pwm == 0 and device.resets == 1


def test_silent_device_stops_mid_scan_and_ignores_commands(device_and_port) -> None:
    device, port = device_and_port
    device.silent_after_nodes = 25
    port.write(b"\xa5\x20")
    _read(port, 7)
    port.timeout = 0.3
    data = port.read(1000)
    assert len(data) == 25 * 5
    port.write(b"\xa5\x50")
    assert port.read(10) == b""
    device.wake()
    port.timeout = 1.0
    port.write(b"\xa5\x52")
    assert _read(port, 7)[:2] == b"\xa5\x5a"


def test_encoding_helpers() -> None:
    assert descriptor(5, True, 0x81) == bytes([0xA5, 0x5A, 5, 0, 0, 0x40, 0x81])
    raw = encode_node(359.984375, 0.0, 63, start=True)
    assert raw[0] == (63 << 2) | 1 and ((raw[1] >> 1) | (raw[2] << 7)) == 23039 and raw[3:] == b"\0\0"
