"""A running scan is read once per `read_interval` (the node bytes that arrived meanwhile decoded together),
not once per chunk the adapter delivers, and no measurement is lost or changed by it."""

from __future__ import annotations

from typing import Any

import pytest

from drivers.lidar import ContainedRPLidar, LidarDriver, LidarSettings
from sim.rplidar_device import RplidarDevice
from tests.support.ros import wait_until

FAST: dict[str, Any] = dict(read_timeout=0.3, watchdog_timeout=0.6, retry_interval=0.1, reset_wait=0.05)
POINTS = 180


def _scan() -> list[tuple[float, float, int]]:
    return [(a * 2.0, 500.0 + a, 30) for a in range(POINTS)]


def _reads_per_revolution(monkeypatch: pytest.MonkeyPatch, read_interval: float) -> tuple[float, list]:
    reads: list[int] = []
    original = ContainedRPLidar._read_units

    def counted(self: ContainedRPLidar, unit: int) -> bytes:
        data = original(self, unit)
        reads.append(len(data))
        return data

    monkeypatch.setattr(ContainedRPLidar, "_read_units", counted)
    # the simulator sends each 10 Hz revolution in 10 chunks, 10 ms apart
    with RplidarDevice(_scan, scan_hz=10) as device:
        revolutions: list = []
        driver = LidarDriver(LidarSettings(port=device.port, read_interval=read_interval, **FAST),
                             revolutions.append).start()
        try:
            wait_until(lambda: len(revolutions) >= 2, 10, "two revolutions")
            first_reads = len(reads)
            wait_until(lambda: len(revolutions) >= 8, 10, "six more revolutions")
            per_revolution = (len(reads) - first_reads) / (len(revolutions) - 2)
        finally:
            driver.stop()
    return per_revolution, revolutions


def test_reads_are_paced_and_every_measurement_arrives(monkeypatch: pytest.MonkeyPatch) -> None:
    paced, revolutions = _reads_per_revolution(monkeypatch, read_interval=0.05)
    for rev in revolutions[1:]:
        assert rev.nodes == _scan()
    assert paced <= 4  # 100 ms revolutions, a read per 50 ms (+1 when a chunk is late)


def test_without_pacing_every_chunk_is_a_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The contrast that shows the pacing above is what batches the reads."""
    unpaced, revolutions = _reads_per_revolution(monkeypatch, read_interval=0.0)
    assert revolutions[-1].nodes == _scan()
    assert unpaced >= 6  # 10 chunks per revolution (a starved reader may find two waiting)


def test_a_read_interval_beyond_the_watchdog_is_refused() -> None:
    with pytest.raises(ValueError, match="read_interval"):
        LidarSettings(read_interval=0.7, **FAST).validate()
