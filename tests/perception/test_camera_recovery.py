"""A camera whose source disappears is reported not connected and recovers by itself."""

from __future__ import annotations

import time
from pathlib import Path

from drivers.camera import CameraSettings, CameraSystem
from tests.perception.media import write_image_folder, write_mjpeg_avi
from tests.support.ros import wait_until


def _next(system: CameraSystem, after: dict[str, int], timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frames = system.next_frames(after, timeout=0.5)
        if frames is not None:
            return frames
    return None


def test_folder_camera_unplugged_and_replugged(tmp_path: Path) -> None:
    folder = write_image_folder(tmp_path / "cam", frames=3, width=160, height=120)
    events: list[tuple[str, str]] = []
    system = CameraSystem(CameraSettings(source="file", devices=[str(folder)], fps=60, reconnect_interval=0.05),
                          on_event=lambda kind, message: events.append((kind, message))).start()
    after: dict[str, int] = {}
    try:
        assert _next(system, after) is not None
        folder.rename(tmp_path / "unplugged")
        wait_until(lambda: not system.status()[0].connected, 5, "camera reported not connected")
        assert any(kind == "disconnected" for kind, _ in events)
        # no frames while it is gone
        number_before = after[str(folder)]
        assert system.next_frames(after, timeout=0.2) is None
        (tmp_path / "unplugged").rename(folder)
        frames = _next(system, after)
        assert frames is not None, "frames did not resume after the camera came back"
        assert frames.frames[0].number > number_before
        status = system.status()[0]
        assert status.connected and status.reconnects == 1 and status.errors >= 1
        assert [kind for kind, _ in events if kind in ("connected", "disconnected")][-2:] == ["disconnected",
                                                                                               "connected"]
    finally:
        system.stop()


def test_video_file_replaced_while_playing(tmp_path: Path) -> None:
    video = write_mjpeg_avi(tmp_path / "cam.avi", frames=3, fps=30, width=160, height=120)
    system = CameraSystem(CameraSettings(source="file", devices=[str(video)], fps=60, reconnect_interval=0.05)).start()
    after: dict[str, int] = {}
    try:
        assert _next(system, after) is not None
        video.unlink()  # at the end of the clip the loop finds no file
        wait_until(lambda: not system.status()[0].connected, 5, "camera reported not connected")
        write_mjpeg_avi(video, frames=3, fps=30, width=160, height=120)
        wait_until(lambda: system.status()[0].connected, 5, "camera back")
        assert _next(system, after) is not None
    finally:
        system.stop()


def test_camera_absent_at_start_is_picked_up_later(tmp_path: Path) -> None:
    folder = tmp_path / "late"
    system = CameraSystem(CameraSettings(source="file", devices=[str(folder)], fps=60,
                                         reconnect_interval=0.05)).start()
    after: dict[str, int] = {}
    try:
        assert system.next_frames(after, timeout=0.2) is None
        assert not system.status()[0].connected
        write_image_folder(folder, frames=2, width=64, height=48)
        assert _next(system, after) is not None
    finally:
        system.stop()
