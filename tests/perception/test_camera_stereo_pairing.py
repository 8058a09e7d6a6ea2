"""Stereo: the left camera drives, the right camera contributes its frame closest in capture time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from drivers.camera import CameraSettings, CameraSystem, FileSource, Frame, pair_by_time
from tests.perception.media import frame_index, write_image_folder


def _frame(ms: float, camera: str = "right") -> Frame:
    return Frame(jpeg=b"", capture_ns=int(ms * 1e6), number=int(ms), camera=camera)


def test_pair_by_time_picks_the_closest_capture() -> None:
    left = _frame(100.0, "left")
    candidates = [_frame(40.0), _frame(90.0), _frame(115.0), _frame(160.0)]
    assert pair_by_time(left, candidates).capture_ns == int(90e6)
    assert pair_by_time(_frame(105.0, "left"), candidates).capture_ns == int(115e6)
    # tie: the earlier frame
    assert pair_by_time(_frame(102.5, "left"), candidates).capture_ns == int(90e6)
    assert pair_by_time(left, []) is None


def _collect(system: CameraSystem, count: int) -> list:
    after: dict[str, int] = {}
    sets = []
    deadline = time.monotonic() + 15
    while len(sets) < count and time.monotonic() < deadline:
        frames = system.next_frames(after, timeout=1.0)
        if frames is not None and len(frames.frames) == 2:
            sets.append(frames)
    return sets


def test_two_cameras_give_pairs_left_first_within_half_a_frame(tmp_path: Path) -> None:
    left = write_image_folder(tmp_path / "left", frames=4, width=160, height=120)
    right = write_image_folder(tmp_path / "right", frames=4, width=160, height=120)
    system = CameraSystem(CameraSettings(source="file", devices=[str(left), str(right)], fps=30)).start()
    try:
        sets = _collect(system, 15)
    finally:
        system.stop()
    assert len(sets) == 15
    period_ns = 1e9 / 30
    gaps = [abs(f.frames[0].capture_ns - f.frames[1].capture_ns) for f in sets]
    for frames in sets:
        assert [f.camera for f in frames.frames] == [str(left), str(right)]
    # the closest right frame: within half a frame period, unless the machine delayed it past the
    # pairing wait (then the previous one, still within a period)
    assert max(gaps) <= period_ns, [g / 1e6 for g in gaps]
    assert sorted(gaps)[len(gaps) // 2] <= period_ns / 2, [g / 1e6 for g in gaps]
    assert len({f.frames[0].number for f in sets}) == 15  # one set per left frame


def test_a_slower_right_camera_is_paired_with_a_recent_frame(tmp_path: Path) -> None:
    left = write_image_folder(tmp_path / "left", frames=3, width=160, height=120)
    right = write_image_folder(tmp_path / "right", frames=3, width=160, height=120)
    system = CameraSystem(CameraSettings(fps=30), sources=[FileSource(left, fps=30), FileSource(right, fps=10)])
    system.start()
    try:
        sets = _collect(system, 12)
    finally:
        system.stop()
    assert len(sets) == 12
    right_period_ns = 1e9 / 10
    for frames in sets:
        assert abs(frames.frames[0].capture_ns - frames.frames[1].capture_ns) < right_period_ns
    # the right image follows the right camera (not one frame held forever)
    assert len({s.frames[1].number for s in sets}) >= 3
    assert all(frame_index(s.frames[1].jpeg) in (0, 1, 2) for s in sets)


def test_stereo_without_the_right_camera_publishes_single_images(tmp_path: Path) -> None:
    left = write_image_folder(tmp_path / "left", frames=3, width=160, height=120)
    system = CameraSystem(CameraSettings(source="file", devices=[str(left), str(tmp_path / "absent")],
                                         fps=30, reconnect_interval=0.1)).start()
    try:
        after: dict[str, int] = {}
        frames = None
        deadline = time.monotonic() + 5
        while frames is None and time.monotonic() < deadline:
            frames = system.next_frames(after, timeout=1.0)
        assert frames is not None
        assert [f.camera for f in frames.frames] == [str(left)]
        assert [s.connected for s in system.status()] == [True, False]
    finally:
        system.stop()


@pytest.mark.parametrize("count", [1, 2])
def test_detected_kind_is_reported(tmp_path: Path, count: int) -> None:
    folders = [str(write_image_folder(tmp_path / f"cam{i}", frames=1, width=32, height=24)) for i in range(count)]
    events: list[tuple[str, str]] = []
    system = CameraSystem(CameraSettings(source="file", devices=folders, fps=30),
                          on_event=lambda kind, message: events.append((kind, message))).start()
    system.stop()
    assert ("detected", f"{'single' if count == 1 else 'stereo'} camera: " + ", ".join(folders)) in events
