"""The "sim" camera source reads the simulator's frame files: scan, stereo order, stale simulator."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from drivers.camera import CameraSettings, CameraSystem, SimSource
from drivers.frame_file import FrameWriter
from perception.images import decode_jpeg, encode_jpeg
from tests.support.clock import on_wall_clock
from tests.support.ros import wait_until


class _Simulator:
    """Writes numbered frames to camera{index}.frame at `fps` (what sim.world does: JPEG frames;
    `raw` indices write raw pixels, as a frame file may hold)."""

    def __init__(self, sim_dir: Path, indices: list[int], fps: float = 60.0, raw: tuple[int, ...] = ()) -> None:
        self.writers = {i: FrameWriter(sim_dir / f"camera{i}.frame", 160, 120, jpeg_quality=0 if i in raw else 90)
                        for i in indices}
        self.fps = fps
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        n = 0
        while not self.stop.wait(1 / self.fps):
            n += 1
            stamp = time.time_ns()
            for index, writer in self.writers.items():
                writer.write(np.full((120, 160, 3), index * 100 + n % 50, np.uint8), capture_ns=stamp)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        for writer in self.writers.values():
            writer.close()


def _next(system: CameraSystem, after: dict[str, int], want: int, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frames = system.next_frames(after, timeout=0.5)
        if frames is not None and len(frames.frames) == want:
            return frames
    return None


def test_sim_stereo_scan_camera0_is_left_and_stamps_come_from_the_simulator(tmp_path: Path) -> None:
    sim = _Simulator(tmp_path, [0, 1], raw=(1,))   # a raw frame file is encoded once by the source
    system = CameraSystem(CameraSettings(source="sim", sim_dir=str(tmp_path), fps=60)).start()
    try:
        frames = _next(system, {}, want=2)
        assert frames is not None
        left, right = frames.frames
        assert left.camera.endswith("camera0.frame") and right.camera.endswith("camera1.frame")
        assert int(decode_jpeg(right.jpeg)[0, 0, 0]) >= 100 > int(decode_jpeg(left.jpeg)[0, 0, 0])
        assert left.capture_ns == right.capture_ns  # the simulator renders both at once
        assert on_wall_clock(left.capture_ns)
    finally:
        system.stop()
        sim.close()


def test_sim_camera_found_when_the_simulator_starts_later(tmp_path: Path) -> None:
    events: list[str] = []
    system = CameraSystem(CameraSettings(source="sim", sim_dir=str(tmp_path), fps=60, rescan_interval=0.05),
                          on_event=lambda kind, _message: events.append(kind)).start()
    sim = None
    try:
        wait_until(lambda: "no_camera" in events, 5, "no-camera report")
        sim = _Simulator(tmp_path, [0])
        assert _next(system, {}, want=1) is not None
        assert "detected" in events
    finally:
        system.stop()
        if sim is not None:
            sim.close()


def test_stopped_simulator_means_camera_not_connected_until_it_writes_again(tmp_path: Path) -> None:
    sim = _Simulator(tmp_path, [0])
    settings = CameraSettings(source="sim", devices=["0"], sim_dir=str(tmp_path), fps=60, reconnect_interval=0.05)
    system = CameraSystem(settings).start()
    system.captures[0].source.stale_after = 0.3  # type: ignore[attr-defined]
    after: dict[str, int] = {}
    try:
        assert _next(system, after, want=1) is not None
        sim.close()
        wait_until(lambda: not system.status()[0].connected, 5, "stale simulator reported")
        sim = _Simulator(tmp_path, [0])
        assert _next(system, after, want=1) is not None
        assert system.status()[0].connected
    finally:
        system.stop()
        sim.close()


def test_the_simulated_cameras_jpeg_is_passed_on_byte_for_byte(tmp_path: Path) -> None:
    jpeg = encode_jpeg(np.full((120, 160, 3), 77, np.uint8), 75)
    with FrameWriter(tmp_path / "camera0.frame", 160, 120, jpeg_quality=90) as writer:
        writer.write_jpeg(jpeg, capture_ns=1_700_000_000_000_000_000)
        source = SimSource(tmp_path / "camera0.frame")
        source.open()
        try:
            assert source.read() == (jpeg, 1_700_000_000_000_000_000)
        finally:
            source.close()


def test_a_reader_held_back_keeps_the_simulators_frame_period(tmp_path: Path) -> None:
    """The reader sleeps until the next frame is due by the simulator's stamps: a reader that was
    busy and skipped frames does not stretch its idea of the period (which would then skip more)."""
    period_ns = 33_333_333
    base = time.time_ns()
    writer = FrameWriter(tmp_path / "camera0.frame", 160, 120)
    source = SimSource(tmp_path / "camera0.frame")
    frame = np.zeros((120, 160, 3), np.uint8)
    try:
        source.open()
        writer.write(frame, capture_ns=base)
        assert source.read()[1] == base
        for k in (1, 2, 3):                        # the reader was busy: three frames came meanwhile
            writer.write(frame, capture_ns=base + k * period_ns)
        assert source.read()[1] == base + 3 * period_ns     # the newest one
        assert source._period_ns == period_ns      # the simulator's period, not the reader's gap
        writer.write(frame, capture_ns=base + 4 * period_ns)
        assert source.read()[1] == base + 4 * period_ns
        assert source._period_ns == period_ns
    finally:
        source.close()
        writer.close()
