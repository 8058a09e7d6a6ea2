"""Without the robot stack the provisioner drives the LEDs itself through drivers.status_leds, on the
sysfs GPIOs (a sysfs tree in a temp dir stands in for the kernel)."""

from __future__ import annotations

from pathlib import Path

from sim.sysfs_tree import build_sim_sysfs, sim_gpio_value_path
from tests.support.ros import wait_until
from tests.usb.conftest import make_stick, tiny_model_archive
from usb_wifi_provisioner._driver_leds import DriverLeds
from usb_wifi_provisioner.daemon import make_direct_leds
from usb_wifi_provisioner.leds import NullLeds
from usb_wifi_provisioner.provision import Provisioner

WIFI = (448, 447, 437)
POWER = (450, 457, 458)


def rgb(root: Path, pins: tuple[int, int, int]) -> tuple[int, ...]:
    return tuple(int(sim_gpio_value_path(root, n).read_text().strip() or 0) for n in pins)


def test_backend_choice(tmp_path, monkeypatch):
    root = build_sim_sysfs(tmp_path / "sys")
    monkeypatch.setenv("DEEPRACER_SYSFS_ROOT", str(root))
    monkeypatch.setenv("DEEPRACER_HARDWARE", "real")
    assert isinstance(make_direct_leds("auto"), DriverLeds)
    assert isinstance(make_direct_leds("none"), NullLeds)
    monkeypatch.setenv("DEEPRACER_HARDWARE", "sim")          # a laptop: no LEDs unless asked for
    assert isinstance(make_direct_leds("auto"), NullLeds)
    assert isinstance(make_direct_leds("gpio"), DriverLeds)
    monkeypatch.setenv("DEEPRACER_HARDWARE", "real")
    monkeypatch.setenv("DEEPRACER_SYSFS_ROOT", str(tmp_path / "no-gpio"))
    assert isinstance(make_direct_leds("auto"), NullLeds)


def test_wifi_and_power_leds_on_the_gpios(tmp_path, monkeypatch, fake_nm):
    root = build_sim_sysfs(tmp_path / "sys")
    monkeypatch.setenv("DEEPRACER_SYSFS_ROOT", str(root))
    monkeypatch.setenv("DEEPRACER_HARDWARE", "real")
    leds = make_direct_leds("auto")
    try:
        provisioner = Provisioner(leds=leds, artifacts_dir=tmp_path / "artifacts")
        stick = make_stick(tmp_path, creds="ssid: 'Your-WiFi 100'\npassword: Passwd1234\n")
        tiny_model_archive(stick / "models" / "m.tar.gz")
        assert provisioner.process_drive(stick).ok
        wait_until(lambda: rgb(root, WIFI) == (0, 0, 1), timeout=10, what="the Wi-Fi LED solid blue")
        wait_until(lambda: rgb(root, POWER) == (0, 0, 1), timeout=10, what="the power LED solid blue")

        stick2 = make_stick(tmp_path, "stick2", creds="ssid: Neighbour\n")
        fake_nm.state["connected"] = None
        fake_nm.save()
        provisioner.process_drive(stick2)
        # red for 2 s (the hold), then off as the car is on no network
        wait_until(lambda: rgb(root, WIFI) == (1, 0, 0), timeout=10, what="the Wi-Fi LED red")
        wait_until(lambda: rgb(root, WIFI) == (0, 0, 0), timeout=10, what="the Wi-Fi LED off")
    finally:
        assert isinstance(leds, DriverLeds)
        leds.close()
