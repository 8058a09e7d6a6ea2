"""Express and Boost scan modes (GET_LIDAR_CONF, EXPRESS_SCAN capsules) and a pulled USB cable."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
import serial

from drivers.lidar import LidarDriver, LidarSettings, Revolution, decode_capsule
from sim.rplidar_device import (
    A1_SCAN_MODES,
    ANS_ULTRA_CAPSULED,
    RplidarDevice,
    SimScanMode,
    encode_capsule,
    ring_scan,
)
from tests.support.ros import wait_until

FAST = dict(read_timeout=0.3, watchdog_timeout=0.6, retry_interval=0.1, reset_wait=0.05)
POINTS = 90  # standard measurements per revolution of the emulated room


def _read(port: serial.Serial, n: int) -> bytes:
    data = port.read(n)
    assert len(data) == n, f"expected {n} bytes, got {data!r}"
    return data


def _request(cmd: int, payload: bytes) -> bytes:
    frame = bytes([0xA5, cmd, len(payload)]) + payload
    checksum = 0
    for byte in frame:
        checksum ^= byte
    return frame + bytes([checksum])


def test_capsule_encoding_round_trip_with_angle_offsets() -> None:
    distances = [float(100 + 37 * k) for k in range(32)]
    offsets = [(-1) ** k * (k % 32) for k in range(32)]  # q3 degrees, both signs, 5 bits
    raw = encode_capsule(123.25, distances, first=True, offsets_q3=offsets)
    assert len(raw) == 84 and raw[0] >> 4 == 0xA and raw[1] >> 4 == 0x5
    start, first, decoded, decoded_offsets = decode_capsule(raw)
    assert (start, first, decoded) == (123.25, True, distances)
    assert decoded_offsets == [o / 8.0 for o in offsets]
    tampered = bytearray(raw)
    tampered[40] ^= 0x10
    with pytest.raises(Exception, match="checksum"):
        decode_capsule(bytes(tampered))


def test_emulator_reports_its_modes_and_streams_capsules() -> None:
    with RplidarDevice(ring_scan(1500.0, POINTS), scan_hz=20) as device:
        port = serial.Serial(device.port, 115200, timeout=1.0)
        try:
            port.write(_request(0x84, struct.pack("<I", 0x70)))
            assert _read(port, 7) == bytes([0xA5, 0x5A, 6, 0, 0, 0, 0x20])
            assert struct.unpack("<IH", _read(port, 6)) == (0x70, 3)
            port.write(_request(0x84, struct.pack("<IH", 0x7F, 2)))
            length = _read(port, 7)[2]
            assert _read(port, length)[4:] == b"Boost\0"
            port.write(_request(0x84, struct.pack("<IH", 0x71, 1)))
            _read(port, 7)
            assert struct.unpack("<II", _read(port, 8)) == (0x71, 250 * 256)  # Q8 microseconds
            port.write(_request(0x82, bytes([2, 0, 0, 0, 0])))  # EXPRESS_SCAN in mode 2 (Boost)
            assert _read(port, 7) == bytes([0xA5, 0x5A, 84, 0, 0, 0x40, 0x82])
            capsules = [decode_capsule(_read(port, 84)) for _ in range(12)]
            assert capsules[0][1] and not any(c[1] for c in capsules[1:])  # first-capsule flag once
            assert all(d == 1500.0 for c in capsules for d in c[2])
            assert device.scan_mode is not None and device.scan_mode.name == "Boost"
        finally:
            port.close()


def _run(device: RplidarDevice, scan_mode: str, revolutions: int = 3) -> tuple[LidarDriver, list[Revolution]]:
    got: list[Revolution] = []
    driver = LidarDriver(LidarSettings(port=device.port, scan_mode=scan_mode, **FAST), got.append).start()
    wait_until(lambda: len(got) >= revolutions, 10, f"{revolutions} revolutions in {scan_mode or 'typical'} mode")
    return driver, got


@pytest.mark.parametrize("mode, factor", [("Express", 2), ("Boost", 4)])
def test_express_and_boost_scans_deliver_denser_revolutions(mode: str, factor: int) -> None:
    with RplidarDevice(ring_scan(800.0, POINTS), scan_hz=20) as device:
        driver, revolutions = _run(device, mode)
        try:
            status = driver.status()
            assert status.state == "scanning" and status.scan_mode == mode
            assert status.scan_modes == ["Standard", "Express", "Boost"]
            assert f"{mode} mode" in status.message
            assert "EXPRESS_SCAN" in device.command_names() and "SCAN" not in device.command_names()
            rev = revolutions[-1]
            # a whole turn of the room, at the mode's sample rate (capsules of 32, two per revolution
            # boundary may straddle it)
            assert abs(len(rev.nodes) - POINTS * factor) <= 32
            assert {d for _, d, _ in rev.nodes} == {800.0}
            angles = [a for a, _, _ in rev.nodes]
            assert angles == sorted(angles) and angles[0] < 360.0 / POINTS and angles[-1] > 350.0
            assert {q for _, _, q in rev.nodes} == {47}
        finally:
            driver.stop()


def test_empty_scan_mode_takes_the_device_typical_mode() -> None:
    with RplidarDevice(ring_scan(800.0, POINTS), scan_hz=20, typical_mode=1) as device:
        driver, _ = _run(device, "")
        try:
            assert driver.status().scan_mode == "Express"
        finally:
            driver.stop()


def test_older_firmware_has_the_legacy_express_scan_only() -> None:
    """Firmware 1.17..1.23: no GET_LIDAR_CONF; express is EXPRESS_SCAN with working mode 0."""
    with RplidarDevice(ring_scan(800.0, POINTS), scan_hz=20, firmware=(1, 20)) as device:
        driver, revolutions = _run(device, "Express")
        try:
            assert driver.status().scan_modes == ["Standard", "Express"]
            names = device.command_names()
            assert "GET_LIDAR_CONF" not in names and "GET_SAMPLERATE" in names
            assert device.commands[-1] == (0x82, bytes(5)) or (0x82, bytes(5)) in device.commands
            assert abs(len(revolutions[-1].nodes) - 2 * POINTS) <= 32
        finally:
            driver.stop()
    with RplidarDevice(ring_scan(800.0, POINTS), scan_hz=20, firmware=(1, 20)) as device:
        driver, revolutions = _run(device, "Boost")  # not on this firmware: Standard
        try:
            assert driver.status().scan_mode == "Standard" and "SCAN" in device.command_names()
            assert len(revolutions[-1].nodes) == POINTS
        finally:
            driver.stop()


def test_a_mode_sent_as_ultra_capsules_falls_back_to_standard() -> None:
    modes = (*A1_SCAN_MODES, SimScanMode("Sensitivity", 62.5, 16.0, ANS_ULTRA_CAPSULED))
    with RplidarDevice(ring_scan(800.0, POINTS), scan_hz=20, scan_modes=modes, typical_mode=3) as device:
        driver, revolutions = _run(device, "")
        try:
            assert driver.status().scan_mode == "Standard" and "Sensitivity" in driver.status().scan_modes
            assert len(revolutions[-1].nodes) == POINTS
        finally:
            driver.stop()


def test_pulled_usb_cable_is_reported_and_scanning_resumes_when_plugged_back(tmp_path: Path) -> None:
    port = tmp_path / "ttyUSB0"
    events: list[tuple[str, str]] = []
    with RplidarDevice(ring_scan(800.0, POINTS), scan_hz=20, link=port) as device:
        revolutions: list[Revolution] = []
        driver = LidarDriver(LidarSettings(port=str(port), scan_mode="Express", **FAST), revolutions.append,
                             lambda state, message: events.append((state, message))).start()
        try:
            wait_until(lambda: len(revolutions) >= 2, 10, "scanning before the cable is pulled")
            device.unplug()
            wait_until(lambda: driver.status().state in ("absent", "error"), 5, "the pulled cable reported")
            assert not port.exists()
            count = len(revolutions)
            device.replug()
            wait_until(lambda: len(revolutions) >= count + 2, 10, "scans after the cable is back")
            status = driver.status()
            assert status.state == "scanning" and status.connections == 2 and status.scan_mode == "Express"
            states = [state for state, _ in events]
            assert states.index("scanning") < max(i for i, s in enumerate(states) if s in ("absent", "error"))
            assert states[-1] == "scanning"
            assert device.motor_pwm > 0  # the motor was started again on the new connection
        finally:
            driver.stop()
        assert device.motor_pwm == 0 and not device.scanning
