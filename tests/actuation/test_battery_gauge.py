"""Battery: bus discovery, the exact gauge transactions, the level table, sim backend, no-gauge boards."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from drivers.battery import (
    BatteryGauge,
    find_i2c_bus,
    level_from_raw,
    open_battery_gauge,
    real_gauge,
)
from drivers.smbus_emulators import EmulatedSMBus, FuelGaugeEmulator
from sim.sysfs_tree import build_sim_sysfs

TABLE = [(0xFF, 11), (0xEC, 11), (0xEB, 10), (0xE0, 10), (0xD9, 9), (0xD3, 8), (0xCF, 7), (0xCB, 6),
         (0xC8, 5), (0xC5, 4), (0xC4, 3), (0xC3, 3), (0xC0, 2), (0xBF, 1), (0xB4, 1), (0xB3, 0), (0x8C, 0),
         (0x8B, -1), (0x00, -1)]


@pytest.mark.parametrize(("raw", "level"), TABLE)
def test_level_table(raw: int, level: int) -> None:
    assert level_from_raw(raw) == level


def test_gauge_protocol_is_send_register_then_receive_byte() -> None:
    device = FuelGaugeEmulator(0xD9)
    buses: list[EmulatedSMBus] = []

    def open_bus() -> EmulatedSMBus:
        buses.append(EmulatedSMBus({0x3F: device}))
        return buses[-1]

    reading = BatteryGauge(open_bus).read()
    assert (reading.level, reading.raw, reading.available) == (9, 0xD9, True)
    assert buses[0].transactions == [("write_byte", 0x3F, None, (0x03,)), ("read_byte", 0x3F, None, (0xD9,))]
    assert buses[0].closed


def test_bus_is_found_by_the_17_3_link(sysfs_root: Path) -> None:
    assert find_i2c_bus() == 7                    # nothing there: the original default
    build_sim_sysfs(sysfs_root, net_interfaces=["lo"])
    assert find_i2c_bus() == 7
    link = sysfs_root / "class" / "i2c-dev" / "i2c-7"
    link.rename(sysfs_root / "class" / "i2c-dev" / "i2c-4")
    assert find_i2c_bus() == 4


def test_sim_backend_reads_the_simulators_file(state_dir: Path) -> None:
    gauge = open_battery_gauge("sim")
    assert gauge.read().level == 11               # no file: full
    sim = state_dir / "sim"
    sim.mkdir()
    (sim / "fuel_gauge").write_text("200\n")
    assert gauge.read().level == 5
    (sim / "fuel_gauge").write_text("0x8c")
    assert gauge.read().level == 0
    (sim / "fuel_gauge").write_text("lots")
    reading = gauge.read()
    assert reading.level == -1 and reading.available
    assert "holds 'lots'" in (reading.problem or "")


def test_board_without_gauge_is_not_available_not_an_alarm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPRACER_DEV_ROOT", str(tmp_path / "dev"))
    reading = real_gauge(7).read()
    assert reading.level == -1 and not reading.available
    assert "no fuel gauge" in (reading.problem or "")
    nothing_at_address = BatteryGauge(lambda: EmulatedSMBus({})).read()
    assert nothing_at_address.level == -1 and not nothing_at_address.available


def test_io_error_on_a_present_gauge_is_an_error() -> None:
    class Flaky(FuelGaugeEmulator):
        def receive_byte(self) -> int:
            raise OSError(errno.EIO, "bus glitch")

    reading = BatteryGauge(lambda: EmulatedSMBus({0x3F: Flaky()})).read()
    assert reading.level == -1 and reading.available
    assert "read failed" in (reading.problem or "")
