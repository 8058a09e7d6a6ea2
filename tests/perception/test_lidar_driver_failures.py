"""Failure modes: a device that goes silent mid-scan, one that reports a health error, unplugging."""

from __future__ import annotations

import os
import time
from pathlib import Path

from drivers.lidar import LidarDriver, LidarSettings
from sim.rplidar_device import RplidarDevice, ring_scan
from tests.support.ros import wait_until

FAST = dict(read_timeout=0.3, watchdog_timeout=0.6, retry_interval=0.1, reset_wait=0.05)


def test_silent_mid_scan_is_detected_and_recovered_without_hanging() -> None:
    device = RplidarDevice(ring_scan(800.0, 360), scan_hz=20, silent_after_nodes=900)
    revolutions = []
    events: list[tuple[str, str]] = []
    driver = LidarDriver(LidarSettings(port=device.port, **FAST), revolutions.append,
                         lambda state, message: events.append((state, message))).start()
    try:
        wait_until(lambda: device.silent, 10, "device to go silent mid-scan")
        wait_until(lambda: driver.status().state == "error", 5, "silence reported")
        assert "no data from the LiDAR" in driver.status().message
        count = len(revolutions)
        assert count >= 1  # full revolutions before the silence were delivered
        # still silent: the driver keeps retrying (never stuck); waking the device resumes scanning
        wait_until(lambda: device.command_names().count("GET_INFO") >= 3, 5, "reconnect attempts")
        device.wake()
        wait_until(lambda: len(revolutions) >= count + 3, 10, "scans after the device woke up")
        assert driver.status().state == "scanning" and driver.status().connections == 2
        # errors are reported when they change, not once per retry
        retries = device.command_names().count("GET_INFO")
        assert sum(1 for state, _ in events if state == "error") < retries
    finally:
        started = time.monotonic()
        driver.stop()
        assert time.monotonic() - started < 10.0  # returns: never stuck on the silent device
        device.close()


def test_stop_returns_quickly_while_the_device_is_silent() -> None:
    device = RplidarDevice(ring_scan(), scan_hz=20)
    revolutions = []
    driver = LidarDriver(LidarSettings(port=device.port, read_timeout=60.0, watchdog_timeout=60.0,
                                       retry_interval=0.1), revolutions.append).start()
    try:
        wait_until(lambda: revolutions, 10, "first revolution")
        device.go_silent()
        started = time.monotonic()
        driver.stop()
        assert time.monotonic() - started < 10.0  # not the 60 s read timeout
    finally:
        device.close()


def test_health_error_triggers_one_reset_then_is_reported_and_nothing_scans() -> None:
    device = RplidarDevice(ring_scan(), health=(2, 0x0102))
    revolutions = []
    driver = LidarDriver(LidarSettings(port=device.port, **FAST), revolutions.append).start()
    try:
        wait_until(lambda: "hardware error" in driver.status().message, 10, "health error report")
        status = driver.status()
        assert status.state == "error" and "0x0102" in status.message and status.health == ("Error", 0x0102)
        assert device.resets >= 1
        assert "SCAN" not in device.command_names() and revolutions == []
        assert device.motor_pwm == 0
    finally:
        driver.stop()
        device.close()


def test_health_error_cleared_by_reset_scans() -> None:
    device = RplidarDevice(ring_scan(), health=(2, 0x0005), reset_clears_health=True, scan_hz=20)
    revolutions = []
    driver = LidarDriver(LidarSettings(port=device.port, **FAST), revolutions.append).start()
    try:
        wait_until(lambda: len(revolutions) >= 2, 10, "scans after the reset")
        names = device.command_names()
        assert names.index("RESET") < names.index("SCAN") and device.resets == 1
    finally:
        driver.stop()
        device.close()


def test_no_lidar_idles_then_a_hot_plugged_one_starts(tmp_path: Path) -> None:
    port = tmp_path / "ttyUSB0"
    revolutions = []
    events: list[tuple[str, str]] = []
    driver = LidarDriver(LidarSettings(port=str(port), **FAST), revolutions.append,
                         lambda state, message: events.append((state, message))).start()
    device = None
    try:
        wait_until(lambda: driver.status().state == "absent", 5, "absent report")
        assert events == [("absent", f"No LiDAR at {port}; waiting for one to be plugged in")]
        device = RplidarDevice(ring_scan(), scan_hz=20)
        os.symlink(device.port, port)  # "plugged in"
        wait_until(lambda: len(revolutions) >= 2, 10, "scans from the hot-plugged LiDAR")
        # unplugged again: reported, and back to waiting
        os.unlink(port)
        device.close()
        device = None
        wait_until(lambda: driver.status().state == "absent", 10, "absent again after unplugging")
    finally:
        driver.stop()
        if device is not None:
            device.close()
