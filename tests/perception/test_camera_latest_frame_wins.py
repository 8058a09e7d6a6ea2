"""A slow consumer gets the newest frame, never a backlog; superseded frames are counted as dropped."""

from __future__ import annotations

from pathlib import Path

from drivers.camera import CameraCapture, FileSource
from tests.perception.media import write_image_folder
from tests.support.clock import on_wall_clock
from tests.support.ros import wait_until


def test_slow_consumer_gets_the_newest_frame_and_drops_are_counted(tmp_path: Path) -> None:
    folder = write_image_folder(tmp_path / "frames", frames=5, width=160, height=120)
    capture = CameraCapture(FileSource(folder, fps=100)).start()
    try:
        first = capture.wait_newer(0, timeout=5)
        assert first is not None
        # do not consume for a while: frames keep arriving and replace each other
        wait_until(lambda: capture.stats().captured >= first.number + 10, 5, "ten more frames")
        newest_number = capture.latest().number
        frame = capture.wait_newer(first.number, timeout=1)
        assert frame is not None
        assert frame.number >= newest_number  # the newest, not the next queued one
        stats = capture.stats()
        # everything captured was either handed out or dropped (one may be in flight, not yet either)
        assert stats.consumed == 2
        assert stats.captured - stats.consumed - 1 <= stats.dropped <= stats.captured - stats.consumed
        assert stats.dropped >= 9
        assert on_wall_clock(frame.capture_ns)
    finally:
        capture.stop()


def test_no_frame_is_handed_out_twice(tmp_path: Path) -> None:
    folder = write_image_folder(tmp_path / "frames", frames=3, width=160, height=120)
    capture = CameraCapture(FileSource(folder, fps=100)).start()
    try:
        last = 0
        numbers = []
        for _ in range(10):
            frame = capture.wait_newer(last, timeout=5)
            assert frame is not None
            numbers.append(frame.number)
            last = frame.number
        assert numbers == sorted(set(numbers))
        assert capture.wait_newer(10**9, timeout=0.05) is None  # nothing newer than "the future"
    finally:
        capture.stop()
