"""Device status maths: latency window, p95, fps, and the psutil metrics."""

from __future__ import annotations

import pytest

from drivers.system_metrics import LatencyTracker, read_system_metrics

MS = 1_000_000


def test_latency_mean_p95_and_rate() -> None:
    tracker = LatencyTracker(gap_s=0.5)
    for i in range(31):                          # 30 fps for one second, latency 10..40 ms
        arrival = 1_000 * MS + i * 33_333_333
        tracker.add(10.0 + i, arrival_ns=arrival)       # as the servo node measured it (LatencyMeasureMsg)
    stats = tracker.stats()
    assert stats.samples == 31
    assert stats.latency_mean == pytest.approx(25.0)
    assert stats.latency_p95 == pytest.approx(38.5)          # numpy-style linear interpolation
    assert stats.fps_mean == pytest.approx(30.0, rel=1e-6)


def test_a_pause_starts_a_new_window_and_stale_stats_are_zero() -> None:
    tracker = LatencyTracker(gap_s=0.5)
    tracker.add(100.0, 100 * MS)
    tracker.add(100.0, 200 * MS)
    tracker.add(5.0, 2_005 * MS)                 # 1.8 s later: old samples dropped
    assert tracker.stats().samples == 1 and tracker.stats().latency_mean == pytest.approx(5.0)
    assert tracker.stats(now_ns=4_000 * MS).samples == 0


def test_system_metrics_are_plausible() -> None:
    metrics = read_system_metrics()
    assert 0.0 <= metrics.cpu_percent <= 100.0
    assert 0.0 < metrics.memory_usage <= 100.0
    assert 0.0 <= metrics.free_disk <= 100.0
    assert metrics.cpu_temp >= 0.0 and metrics.cpu_freq >= 0.0
