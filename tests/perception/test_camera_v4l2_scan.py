"""V4L2 scanning probes /dev/video4..0 under DEEPRACER_DEV_ROOT and keeps only real cameras."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.camera import CameraError, CameraSettings, CameraSystem, V4L2Source, scan_v4l2
from tests.support.ros import wait_until


def test_no_video_devices_means_no_camera(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPRACER_DEV_ROOT", str(tmp_path))
    assert scan_v4l2() == []


def test_a_device_node_that_is_not_a_camera_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPRACER_DEV_ROOT", str(tmp_path))
    (tmp_path / "video4").write_bytes(b"\0" * 64)  # exists, but V4L2 cannot stream from it
    with pytest.raises(CameraError):
        V4L2Source(4).open()
    assert scan_v4l2() == []


def test_camera_system_keeps_scanning_and_reports_no_camera(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPRACER_DEV_ROOT", str(tmp_path))
    events: list[tuple[str, str]] = []
    system = CameraSystem(CameraSettings(source="v4l2", rescan_interval=0.05),
                          on_event=lambda kind, message: events.append((kind, message))).start()
    try:
        wait_until(lambda: events, 5, "no-camera report")
        assert events[0][0] == "no_camera"
        assert system.captures == [] and system.stream_problem() is None
    finally:
        system.stop()
