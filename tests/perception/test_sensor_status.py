"""sensor_data_status logic: 0 OK / 1 not connected, whole-second staleness as the original."""

from __future__ import annotations

from perception.sensor_status import SensorStatus, SensorStatusTracker


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_nothing_received_means_nothing_connected() -> None:
    assert SensorStatusTracker(Clock()).status() == SensorStatus(1, 1, 1)


def test_single_and_stereo_follow_the_last_camera_message() -> None:
    clock = Clock()
    tracker = SensorStatusTracker(clock)
    tracker.camera_seen(1)
    assert tracker.status() == SensorStatus(1, 0, 1)
    tracker.camera_seen(2)
    assert tracker.status() == SensorStatus(1, 1, 0)
    tracker.camera_seen(0)
    assert tracker.status() == SensorStatus(1, 1, 1)


def test_staleness_counts_whole_seconds() -> None:
    clock = Clock()
    tracker = SensorStatusTracker(clock)
    tracker.lidar_seen()
    tracker.camera_seen(1)
    clock.now += 1.99  # int(1.99) = 1, not > 1: still connected
    assert tracker.status() == SensorStatus(0, 0, 1)
    clock.now += 0.01
    assert tracker.status() == SensorStatus(1, 1, 1)
    tracker.lidar_seen()
    assert tracker.status() == SensorStatus(0, 1, 1)
