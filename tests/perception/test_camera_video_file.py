"""A generated MJPEG AVI is read through the real OpenCV path, looped, paced at the source rate."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from drivers.camera import CameraError, CameraSettings, CameraSystem, FileSource
from perception.images import jpeg_size
from tests.perception.media import frame_index, write_mjpeg_avi
from tests.support.clock import on_wall_clock


@pytest.fixture(scope="module")
def avi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mjpeg_avi(tmp_path_factory.mktemp("video") / "track.avi", frames=6, fps=30)


def test_file_source_decodes_every_frame_in_order_and_loops(avi: Path) -> None:
    source = FileSource(avi, fps=120)
    source.open()
    try:
        reads = [source.read() for _ in range(14)]
    finally:
        source.close()
    images = [jpeg for jpeg, _ in reads]              # video frames: decoded by OpenCV, encoded once
    assert all(jpeg_size(jpeg) == (640, 480) for jpeg in images)
    assert [frame_index(image) for image in images] == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1]


def test_capture_times_follow_the_source_rate(avi: Path) -> None:
    system = CameraSystem(CameraSettings(source="file", devices=[str(avi)], fps=30)).start()
    try:
        after: dict[str, int] = {}
        sets = []
        deadline = time.monotonic() + 10
        while len(sets) < 12 and time.monotonic() < deadline:
            frames = system.next_frames(after, timeout=1.0)
            if frames is not None:
                sets.append(frames)
    finally:
        system.stop()
    assert len(sets) == 12
    stamps = np.array([s.capture_ns for s in sets], dtype=np.int64)
    numbers = np.array([s.frames[0].number for s in sets], dtype=np.int64)
    # one frame set per source frame: never the same frame twice
    assert len(set(numbers.tolist())) == 12
    # Capture stamps are the source clock's ticks, one period per captured frame: a consumer slowed
    # by a loaded machine skips frames (their numbers tell how many) but never sees them closer.
    ms_per_frame = np.diff(stamps) / np.diff(numbers) / 1e6
    assert np.median(ms_per_frame) == pytest.approx(1000 / 30, rel=0.05)
    # capture time is wall clock (time.time_ns)
    assert on_wall_clock(int(stamps[-1]))


def test_raw_mjpeg_stream_file_is_readable(tmp_path: Path) -> None:
    import cv2

    from tests.perception.media import marked_frame

    path = tmp_path / "clip.mjpeg"
    with open(path, "wb") as handle:  # a raw MJPEG stream: concatenated JPEG images
        for index in range(4):
            ok, jpeg = cv2.imencode(".jpg", marked_frame(index, 320, 240))
            assert ok
            handle.write(jpeg.tobytes())
    source = FileSource(path, fps=200)
    source.open()
    try:
        indices = [frame_index(source.read()[0]) for _ in range(5)]
    finally:
        source.close()
    assert indices == [0, 1, 2, 3, 0]


def test_missing_or_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CameraError, match="does not exist"):
        FileSource(tmp_path / "nope.avi").open()
    garbage = tmp_path / "garbage.avi"
    garbage.write_bytes(b"not a video at all" * 10)
    source = FileSource(garbage)
    with pytest.raises(CameraError):
        source.open()
        source.read()
    source.close()


def test_bad_settings_are_rejected() -> None:
    with pytest.raises(ValueError, match="v4l2, file or sim"):
        CameraSettings(source="usb").validate()
    with pytest.raises(ValueError, match="needs at least one"):
        CameraSettings(source="file").validate()
    with pytest.raises(ValueError, match="at most two"):
        CameraSettings(source="file", devices=["a", "b", "c"]).validate()
