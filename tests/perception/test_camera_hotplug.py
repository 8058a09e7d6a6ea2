"""Cameras that come and go: sysfs listing, device events (fed, udev, polling), mono <-> stereo, stalls."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from drivers.camera import CameraSettings, CameraSystem, FrameSet
from drivers.camera_devices import (
    DeviceEvent,
    DeviceEvents,
    PollingEvents,
    UdevEvents,
    list_sim_cameras,
    list_v4l2_cameras,
    watch,
)
from drivers.frame_file import FrameWriter
from perception.images import decode_jpeg
from tests.support.ros import wait_until


class FedEvents(DeviceEvents):
    """The test's event source: what udev would deliver, fed by hand."""

    def __init__(self) -> None:
        self.callback: Callable[[DeviceEvent], None] | None = None
        self.stopped = False

    def start(self, on_event: Callable[[DeviceEvent], None]) -> None:
        self.callback = on_event

    def feed(self, action: str, name: str) -> None:
        assert self.callback is not None, "the camera system did not start its event source"
        self.callback(DeviceEvent(action, name))

    def stop(self) -> None:
        self.stopped = True


class SimCamera:
    """One simulated camera: writes frames of grey level `level` to camera<index>.frame at 60 fps."""

    def __init__(self, sim_dir: Path, index: int, level: int) -> None:
        self.path = sim_dir / f"camera{index}.frame"
        self.writer = FrameWriter(self.path, 64, 48)
        self.level = level
        self.paused = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1 / 60):
            if not self.paused.is_set():
                self.writer.write(np.full((48, 64, 3), self.level, np.uint8), capture_ns=time.time_ns())

    def unplug(self) -> None:
        self._stop.set()
        self._thread.join()
        self.writer.close()
        self.path.unlink()


def _frames(system: CameraSystem, after: dict[str, int], want: int, timeout: float = 5.0) -> FrameSet | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frames = system.next_frames(after, timeout=0.2)
        if frames is not None and len(frames.frames) == want:
            return frames
    return None


def _levels(frames: FrameSet) -> list[int]:
    """The grey level of each frame (uniform frames survive JPEG exactly)."""
    return [round(float(decode_jpeg(f.jpeg, "grey").mean())) for f in frames.frames]


# -- device listing and event sources -----------------------------------------------------------------

def _video_node(sysfs: Path, dev: Path, n: int, index: int, with_node: bool = True) -> None:
    entry = sysfs / "class" / "video4linux" / f"video{n}"
    entry.mkdir(parents=True)
    (entry / "index").write_text(f"{index}\n")
    (entry / "name").write_text("USB Camera\n")
    if with_node:
        (dev / f"video{n}").write_bytes(b"")


def test_v4l2_listing_keeps_capture_nodes_with_a_device_node(tmp_path: Path) -> None:
    sysfs, dev = tmp_path / "sys", tmp_path / "dev"
    dev.mkdir()
    assert list_v4l2_cameras(sysfs, dev) is None  # no sysfs class folder: the caller probes instead
    _video_node(sysfs, dev, 0, 0)
    _video_node(sysfs, dev, 1, 1)  # the UVC metadata node of the same camera
    _video_node(sysfs, dev, 2, 0)
    _video_node(sysfs, dev, 3, 0, with_node=False)  # being removed: sysfs entry left, node gone
    assert list_v4l2_cameras(sysfs, dev) == [2, 0]  # highest first: the left camera


def test_polling_reports_what_appears_and_goes(tmp_path: Path) -> None:
    events: list[DeviceEvent] = []
    poller = PollingEvents(lambda: [f"camera{i}.frame" for i in list_sim_cameras(tmp_path)], interval=0.05)
    (tmp_path / "camera0.frame").write_bytes(b"")
    poller.start(events.append)
    try:
        (tmp_path / "camera1.frame").write_bytes(b"")
        wait_until(lambda: DeviceEvent("add", "camera1.frame") in events, 5, "camera1 added")
        (tmp_path / "camera0.frame").unlink()
        wait_until(lambda: DeviceEvent("remove", "camera0.frame") in events, 5, "camera0 removed")
        assert DeviceEvent("add", "camera0.frame") not in events  # present at start: not news
    finally:
        poller.stop()


def test_udev_events_are_forwarded_for_their_subsystem_only() -> None:
    events: list[DeviceEvent] = []
    udev = UdevEvents("video4linux")
    udev._on_event = events.append  # what start() sets before the pyudev observer runs
    udev.deliver(SimpleNamespace(action="add", sys_name="video2", subsystem="video4linux"))
    udev.deliver(SimpleNamespace(action="remove", sys_name="video2", subsystem="video4linux"))
    udev.deliver(SimpleNamespace(action="add", sys_name="sda", subsystem="block"))
    assert events == [DeviceEvent("add", "video2"), DeviceEvent("remove", "video2")]


def test_without_a_udev_daemon_watch_falls_back_to_polling(tmp_path: Path) -> None:
    source = watch(lambda event: None, lambda: [], "video4linux", 0.5, udev_control=tmp_path / "no-udev")
    try:
        assert isinstance(source, PollingEvents)
    finally:
        source.stop()


# -- the camera system follows the hardware -------------------------------------------------------------

@pytest.fixture
def sim_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "sim"
    folder.mkdir()
    return folder


def test_fed_events_turn_mono_into_stereo_and_back(sim_dir: Path) -> None:
    left = SimCamera(sim_dir, 0, 40)
    right: SimCamera | None = None
    events = FedEvents()
    reports: list[tuple[str, str]] = []
    system = CameraSystem(CameraSettings(source="sim", sim_dir=str(sim_dir), rescan_interval=30.0),
                          on_event=lambda kind, message: reports.append((kind, message)), events=events).start()
    after: dict[str, int] = {}
    try:
        mono = _frames(system, after, 1)
        assert mono is not None and _levels(mono) == [40]
        right = SimCamera(sim_dir, 1, 140)
        events.feed("add", "camera1.frame")
        wait_until(lambda: len(system.captures) == 2, 2.0, "the second camera picked up within 2 s")
        stereo = _frames(system, after, 2)
        assert stereo is not None and _levels(stereo) == [40, 140]  # left first
        right.unplug()
        right = None
        events.feed("remove", "camera1.frame")
        wait_until(lambda: len(system.captures) == 1, 2.0, "back to one camera")
        again = _frames(system, after, 1)
        assert again is not None and _levels(again) == [40]
        kinds = [message.split(":")[0] for kind, message in reports if kind == "detected"]
        assert kinds == ["single camera", "stereo camera", "single camera"]
        assert any(kind == "removed" for kind, _ in reports)
    finally:
        system.stop()
        assert events.stopped
        left.unplug()
        if right is not None:
            right.unplug()


def test_polling_fallback_picks_up_a_camera_plugged_in_after_start(sim_dir: Path) -> None:
    """No udev here (the simulated car): the default 1 s poll finds a new camera within 2 s."""
    reports: list[tuple[str, str]] = []
    system = CameraSystem(CameraSettings(source="sim", sim_dir=str(sim_dir)),
                          on_event=lambda kind, message: reports.append((kind, message))).start()
    camera: SimCamera | None = None
    after: dict[str, int] = {}
    try:
        wait_until(lambda: ("no_camera" in [k for k, _ in reports]), 5, "no camera reported at start")
        camera = SimCamera(sim_dir, 0, 90)
        wait_until(lambda: len(system.captures) == 1, 2.0, "the camera picked up within 2 s")
        frames = _frames(system, after, 1)
        assert frames is not None and _levels(frames) == [90]
    finally:
        system.stop()
        if camera is not None:
            camera.unplug()


def test_a_camera_that_stops_delivering_frames_is_reopened(sim_dir: Path) -> None:
    camera = SimCamera(sim_dir, 0, 60)
    reports: list[tuple[str, str]] = []
    system = CameraSystem(CameraSettings(source="sim", sim_dir=str(sim_dir), devices=["0"], stall_timeout=0.4,
                                         reconnect_interval=0.05),
                          on_event=lambda kind, message: reports.append((kind, message))).start()
    after: dict[str, int] = {}
    try:
        assert _frames(system, after, 1) is not None
        camera.paused.set()  # open, but no more frames (a wedged camera)
        wait_until(lambda: any(kind == "stalled" for kind, _ in reports), 5, "the stall noticed")
        capture = system.captures[0]
        wait_until(lambda: capture.stats().errors >= 1, 5, "the camera closed")
        camera.paused.clear()
        wait_until(lambda: capture.stats().connected and capture.stats().reconnects >= 1, 5, "reopened")
        assert _frames(system, after, 1) is not None  # frames flow again after the reopen
        assert capture.stalls >= 1
    finally:
        system.stop()
        camera.unplug()
