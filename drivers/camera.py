"""Camera capture for the car: sources behind one interface, a capture thread per camera, stereo pairing.

Every source delivers JPEG frames, as the community dialect carries them (`CompressedImage`): a camera's
MJPEG frame passes through as it comes, never decoded or encoded again on the car; a source that only
has raw pixels encodes each frame once, at the source (`jpeg_quality`).

- `V4L2Source`: a USB camera through OpenCV's V4L2 backend with the MJPG fourcc, like the original
  camera_node, read without conversion (`CAP_PROP_CONVERT_RGB` 0): each read is the camera's JPEG.
  Cameras are found among /dev/video4 .. /dev/video0 (under `DEEPRACER_DEV_ROOT`): the capture nodes
  sysfs lists (`drivers/camera_devices.py`), each probed for a frame (`scan_v4l2()` probes them all
  when there is no sysfs); the first camera found (highest index) is the left one, i.e. `images[0]`.
- `FileSource`: a video file (e.g. an MJPEG AVI; decoded by OpenCV, encoded once) or a folder of
  images (JPEG files pass through as they are, others are encoded once), looped and paced at a given fps.
- `SimSource`: the simulator's shared frame file (`drivers/frame_file.py`; the simulator writes JPEG
  like a camera, raw frame files are encoded once); scanning finds `camera0.frame` (left or only
  camera) and `camera1.frame` (right camera of a stereo pair).

`CameraCapture` runs one source in its own thread. Only the newest frame is kept (plus a few recent ones
for stereo pairing): a slow consumer never builds a backlog, superseded frames are counted as dropped.
When the source fails (camera unplugged, file gone, simulator stopped) the capture reports
"not connected", closes the source and reopens it every `reconnect_interval` seconds until it works.

`CameraSystem` builds the captures from `CameraSettings`, follows cameras plugged in and out (udev
events, else polling; mono <-> stereo), reopens a camera that stops delivering frames, and hands out
`FrameSet`s: one new frame of the left (primary) camera plus, for stereo, the right camera's
frame closest to it in capture time. Every frame carries a real capture time (`time.time_ns()` clock).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from perception.images import decode_jpeg, encode_jpeg

log = logging.getLogger("drivers.camera")

SCAN_INDICES = (4, 3, 2, 1, 0)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".ppm", ".pgm", ".tif", ".tiff", ".webp")
JPEG_SUFFIXES = (".jpg", ".jpeg")
MJPG = cv2.VideoWriter.fourcc(*"MJPG")
DEFAULT_JPEG_QUALITY = 90  # sources with raw pixels encode each frame once at this quality


class CameraError(RuntimeError):
    """A source cannot be opened or stopped delivering frames."""


@dataclass(frozen=True)
class Frame:
    jpeg: bytes  # the frame as the camera delivered it (JPEG)
    capture_ns: int  # wall-clock capture time, time.time_ns() clock
    number: int  # 1, 2, ... per camera since the capture started
    camera: str  # the source's name


@dataclass(frozen=True)
class FrameSet:
    frames: tuple[Frame, ...]  # left (or only) camera first

    @property
    def capture_ns(self) -> int:
        return self.frames[0].capture_ns


def fourcc_text(code: int) -> str:
    code = int(code)
    return "".join(chr((code >> (8 * i)) & 0xFF) for i in range(4)).strip("\0")


# --------------------------------------------------------------------------------------------- sources


class FrameSource(ABC):
    """One camera. `read()` blocks until the next frame; failures raise CameraError."""

    name: str = "camera"

    @abstractmethod
    def open(self) -> None: ...

    @abstractmethod
    def read(self) -> tuple[bytes, int]:
        """Next frame (JPEG bytes) and its capture time in ns (time.time_ns clock)."""

    @abstractmethod
    def close(self) -> None: ...

    def interrupt(self) -> None:
        """Make a blocked `read()` return soon (called from another thread before `close()`)."""
        return None

    def stream_problem(self) -> str | None:
        """Why this stream is unusable for publishing (e.g. not MJPEG), or None."""
        return None

    def describe(self) -> dict[str, Any]:
        return {"name": self.name}


def _to_bgr(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.shape[2] == 1:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return image


def _encode(image: np.ndarray, quality: int) -> bytes:
    """Raw pixels -> JPEG, once, at the source (grey stays grey: a one-component JPEG)."""
    if image.ndim == 3 and image.shape[2] != 3:
        image = _to_bgr(image)
    return encode_jpeg(image, quality)


class V4L2Source(FrameSource):
    """A V4L2 camera through OpenCV (`CAP_V4L2`), MJPG fourcc, optional resolution and fps."""

    def __init__(self, device: int | str, width: int = 0, height: int = 0, fps: float = 0.0,
                 fourcc: str = "MJPG", jpeg_quality: int = DEFAULT_JPEG_QUALITY) -> None:
        self.device = device
        self.width, self.height, self.fps = int(width), int(height), float(fps)
        self.jpeg_quality = int(jpeg_quality)
        self.fourcc = cv2.VideoWriter.fourcc(*fourcc)
        self.name = str(device)
        self._cap: cv2.VideoCapture | None = None

    def _device_arg(self) -> int | str:
        if isinstance(self.device, int):
            from runtime.paths import dev_root

            return str(dev_root() / f"video{self.device}")
        return self.device

    def open(self) -> None:
        target = self._device_arg()
        if isinstance(target, str) and not os.path.exists(target):
            raise CameraError(f"{target} does not exist")
        cap = cv2.VideoCapture(target, cv2.CAP_V4L2)
        if not cap.isOpened():
            cap.release()
            raise CameraError(f"cannot open {target} with V4L2")
        cap.set(cv2.CAP_PROP_FOURCC, self.fourcc)
        if int(cap.get(cv2.CAP_PROP_FOURCC)) == MJPG:
            cap.set(cv2.CAP_PROP_CONVERT_RGB, 0)  # hand out the driver's MJPEG buffer, not decoded pixels
        if self.width > 0 and self.height > 0:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        if self.fps > 0:
            cap.set(cv2.CAP_PROP_FPS, self.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # fewer queued driver buffers: fresher frames
        cap.set(cv2.CAP_PROP_READ_TIMEOUT_MSEC, 2000)  # a wedged camera fails a read instead of blocking 10 s
        ok, image = cap.read()
        if not ok or image is None:
            cap.release()
            raise CameraError(f"{target} opened but returned no frame")
        self._cap = cap

    def read(self) -> tuple[bytes, int]:
        cap = self._cap
        if cap is None:
            raise CameraError(f"{self.name} is not open")
        ok, buffer = cap.read()
        if not ok or buffer is None:
            raise CameraError(f"no frame from {self.name}; check that the camera is plugged in")
        stamp = self._capture_time(cap)
        if buffer.ndim == 3:  # a camera that does not stream MJPEG: OpenCV converted it, encode once
            return _encode(buffer, self.jpeg_quality), stamp
        data = buffer.tobytes()
        if not data.startswith(b"\xff\xd8"):
            raise CameraError(f"{self.name} delivered a buffer that is not a JPEG ({len(data)} bytes)")
        return data, stamp  # the camera's JPEG, as it came

    @staticmethod
    def _capture_time(cap: cv2.VideoCapture) -> int:
        """Driver buffer time (CLOCK_MONOTONIC ms from V4L2) moved to the wall clock, else now."""
        now_wall, now_mono = time.time_ns(), time.monotonic_ns()
        buffer_ms = cap.get(cv2.CAP_PROP_POS_MSEC)
        if buffer_ms > 0:
            age = now_mono - int(buffer_ms * 1_000_000)
            if 0 <= age < 1_000_000_000:
                return now_wall - age
        return now_wall

    def stream_problem(self) -> str | None:
        cap = self._cap
        if cap is None or not cap.isOpened():
            return f"camera {self.name} is not open"
        code = int(cap.get(cv2.CAP_PROP_FOURCC))
        if code != MJPG:
            return f"camera {self.name} streams {fourcc_text(code)!r}, not MJPG"
        return None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def describe(self) -> dict[str, Any]:
        info: dict[str, Any] = {"name": self.name, "backend": "v4l2"}
        if self._cap is not None:
            info.update(width=int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
                        height=int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
                        fps=float(self._cap.get(cv2.CAP_PROP_FPS)),
                        fourcc=fourcc_text(int(self._cap.get(cv2.CAP_PROP_FOURCC))))
        return info


class _Pacer:
    """Absolute-schedule frame clock; sleeps interruptibly; never bursts to catch up."""

    def __init__(self, fps: float, stop: threading.Event) -> None:
        self.period_ns = int(1e9 / fps)
        self._stop = stop
        self._next: int | None = None

    def wait_tick(self) -> int:
        """Wait for the next tick; return its wall-clock time in ns."""
        now = time.monotonic_ns()
        if self._next is None or self._next < now - self.period_ns:
            self._next = now
        delay = self._next - now
        if delay > 0 and self._stop.wait(delay / 1e9):
            raise CameraError("source closed")
        if self._stop.is_set():
            raise CameraError("source closed")
        tick = self._next
        self._next += self.period_ns
        return time.time_ns() - (time.monotonic_ns() - tick)


class FileSource(FrameSource):
    """A video file or an image folder, looped forever at `fps` frames per second.

    JPEG files of a folder are handed on as they are; video frames and other images are encoded once
    (`jpeg_quality`), also when a `width` x `height` is asked for (resized first, INTER_LINEAR).
    Each frame's capture time is its scheduled tick (taken before reading, like a camera's exposure),
    so read time counts as latency. A file or folder that disappears makes `read()` fail; the capture
    thread then reports not-connected and reopens it when it is back.
    """

    def __init__(self, path: str | os.PathLike[str], fps: float = 30.0, width: int = 0, height: int = 0,
                 jpeg_quality: int = DEFAULT_JPEG_QUALITY) -> None:
        self.path = Path(path)
        self.name = str(self.path)
        self.fps = float(fps)
        self.width, self.height = int(width), int(height)
        self.jpeg_quality = int(jpeg_quality)
        self._stop = threading.Event()
        self._cap: cv2.VideoCapture | None = None
        self._images: list[Path] = []
        self._index = 0
        self._pacer: _Pacer | None = None

    def open(self) -> None:
        self._stop.clear()
        if self.path.is_dir():
            self._images = self._list_images()
            if not self._images:
                raise CameraError(f"{self.path} has no images")
            fps = self.fps if self.fps > 0 else 15.0
        elif self.path.is_file():
            cap = cv2.VideoCapture(str(self.path))
            if not cap.isOpened():
                cap.release()
                raise CameraError(f"OpenCV cannot open video {self.path}")
            self._cap = cap
            native = cap.get(cv2.CAP_PROP_FPS)
            fps = self.fps if self.fps > 0 else (native if 0 < native < 1000 else 15.0)
        else:
            raise CameraError(f"{self.path} does not exist")
        self._index = 0
        self._pacer = _Pacer(fps, self._stop)

    def _list_images(self) -> list[Path]:
        try:
            return sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        except OSError:
            return []

    def _next_image(self) -> np.ndarray | bytes:
        """The next frame: decoded pixels (video), or a folder image's file contents."""
        if self._cap is not None:
            ok, image = self._cap.read()
            if ok and image is not None:
                return image
            self._cap.release()  # end of file: loop from the start (the file must still be there)
            self._cap = None
            if not self.path.is_file():
                raise CameraError(f"{self.path} disappeared")
            cap = cv2.VideoCapture(str(self.path))
            first: np.ndarray | None = None
            if cap.isOpened():
                ok, first = cap.read()
                if not ok:
                    first = None
            if first is None:
                cap.release()
                raise CameraError(f"{self.path} has no readable frames")
            self._cap = cap
            return first
        if self._index >= len(self._images):
            self._images = self._list_images()
            self._index = 0
            if not self._images:
                raise CameraError(f"{self.path} disappeared or has no images")
        path = self._images[self._index]
        self._index += 1
        try:
            if path.suffix.lower() in JPEG_SUFFIXES:
                return path.read_bytes()
        except OSError as exc:
            self._images = []
            raise CameraError(f"cannot read image {path}: {exc}") from exc
        loaded: np.ndarray | None = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if loaded is None:
            self._images = []
            raise CameraError(f"cannot read image {path}")
        return loaded

    def read(self) -> tuple[bytes, int]:
        if self._pacer is None:
            raise CameraError(f"{self.name} is not open")
        stamp = self._pacer.wait_tick()
        frame = self._next_image()
        sized = self.width > 0 and self.height > 0
        if isinstance(frame, bytes):
            if not sized:
                return frame, stamp
            try:
                frame = decode_jpeg(frame)
            except ValueError as exc:
                raise CameraError(f"{self.name}: {exc}") from exc
        image = _to_bgr(frame)
        if sized and (image.shape[1], image.shape[0]) != (self.width, self.height):
            image = cv2.resize(image, (self.width, self.height), interpolation=cv2.INTER_LINEAR)
        return _encode(image, self.jpeg_quality), stamp

    def interrupt(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        if self._cap is not None:
            self._cap.release()
            self._cap = None
        self._pacer = None

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "backend": "file", "fps": self.fps}


class SimSource(FrameSource):
    """Frames written by the simulator into a shared frame file (see drivers/frame_file.py).

    The file cannot be waited on as a V4L2 device can (its frames are written through a memory map), so
    `read()` polls it every `poll_interval` s; to keep that from costing the car's CPU budget, it first
    sleeps until shortly before the next frame is due (`EARLY_WAKE_S` ahead of it), then polls: about
    three wake-ups per frame instead of one per `poll_interval`. When the next frame is due comes from
    the simulator's own capture stamps and frame numbers (never from when this reader happened to
    look, which a busy reader would stretch).
    """

    EARLY_WAKE_S = 0.004

    def __init__(self, path: str | os.PathLike[str], stale_after: float = 2.0, poll_interval: float = 0.002,
                 jpeg_quality: int = DEFAULT_JPEG_QUALITY) -> None:
        self.path = Path(path)
        self.jpeg_quality = int(jpeg_quality)
        self.name = str(self.path)
        self.stale_after = float(stale_after)
        self.poll_interval = float(poll_interval)
        self._reader: Any = None
        self._last = 0
        self._stop = threading.Event()
        self._period_ns: int | None = None        # the simulator's frame period, from its stamps
        self._last_capture: tuple[int, int] | None = None   # (frame number, capture_ns) of the last frame

    def _frame_seen(self, number: int, capture_ns: int) -> None:
        if self._last_capture is not None and number > self._last_capture[0]:
            period = (capture_ns - self._last_capture[1]) // (number - self._last_capture[0])
            self._period_ns = period if 0 < period < 500_000_000 else None
        self._last_capture = (number, capture_ns)

    def _sleep_until_due(self) -> None:
        """Sleep until just before the next frame is due (nothing to poll for until then)."""
        if self._period_ns is None or self._last_capture is None:
            return
        due_ns = self._last_capture[1] + self._period_ns
        delay = (due_ns - time.time_ns()) / 1e9 - self.EARLY_WAKE_S
        if delay > 0 and self._stop.wait(min(delay, 0.5)):
            raise CameraError("source closed")

    def open(self) -> None:
        from drivers.frame_file import FrameFormatError, FrameReader

        self._stop.clear()
        try:
            self._reader = FrameReader(self.path)
        except (FileNotFoundError, FrameFormatError) as exc:
            raise CameraError(f"no simulated camera at {self.path}: {exc}") from exc
        self._last = 0
        self._period_ns = None
        self._last_capture = None

    def read(self) -> tuple[bytes, int]:
        from drivers.frame_file import FrameFormatError

        reader = self._reader
        if reader is None:
            raise CameraError(f"{self.name} is not open")
        deadline = time.monotonic() + self.stale_after
        self._sleep_until_due()
        try:
            while True:
                if reader.latest_number() > self._last:
                    frame = reader.read()
                    if frame is not None and frame.number > self._last:
                        self._last = frame.number
                        self._frame_seen(frame.number, frame.capture_ns)
                        if frame.jpeg is not None:
                            return frame.jpeg, frame.capture_ns  # the simulated camera's JPEG as it came
                        assert frame.image is not None
                        return _encode(frame.image, self.jpeg_quality), frame.capture_ns
                if time.monotonic() > deadline:
                    raise CameraError(f"the simulator wrote no frame to {self.path} for {self.stale_after:.1f} s")
                if self._stop.wait(self.poll_interval):
                    raise CameraError("source closed")
        except (FileNotFoundError, FrameFormatError, TimeoutError, ValueError) as exc:
            raise CameraError(f"simulated camera {self.path} lost: {exc}") from exc

    def interrupt(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "backend": "sim"}


# ------------------------------------------------------------------------------------------ capture


class _Slot:
    __slots__ = ("frame", "consumed", "counted_dropped")

    def __init__(self, frame: Frame) -> None:
        self.frame = frame
        self.consumed = False
        self.counted_dropped = False


@dataclass
class CaptureStats:
    name: str
    connected: bool
    captured: int
    consumed: int
    dropped: int
    errors: int
    reconnects: int
    last_error: str


class CameraCapture:
    """One source in its own thread; latest frame wins; recovers by reopening the source."""

    def __init__(self, source: FrameSource, reconnect_interval: float = 1.0, history: int = 4,
                 on_event: Callable[[str, str], None] | None = None) -> None:
        self.source = source
        self.name = source.name
        self.reconnect_interval = float(reconnect_interval)
        self._on_event = on_event
        self._cond = threading.Condition()
        self._recent: deque[_Slot] = deque(maxlen=max(2, history))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._opened = False
        self.connected = False
        self.captured = 0
        self.consumed = 0
        self.dropped = 0
        self.errors = 0
        self.reconnects = 0
        self.last_error = ""
        self._ever_connected = False
        self._reported: bool | None = None  # last state reported through on_event
        self._last_frame = time.monotonic()  # last frame (or connection), monotonic clock
        self._reopen_reason = ""
        self.stalls = 0

    # -- lifecycle
    def start(self) -> CameraCapture:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"capture-{self.name}", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.source.interrupt()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        self.source.close()
        self._opened = False

    def adopt_open_source(self) -> None:
        """The source was opened by a scan: start reading it without opening it again."""
        self._opened = True
        self._set_connected(True, "")

    def seconds_without_frame(self) -> float:
        """Since the last frame, or since the source was (re)opened."""
        with self._cond:
            return time.monotonic() - self._last_frame

    def reopen(self, reason: str) -> None:
        """The source stopped delivering frames: close it and open it again (from any thread)."""
        with self._cond:
            self._reopen_reason = reason
            self.stalls += 1
        self.source.interrupt()

    # -- thread
    def _emit(self, kind: str, message: str) -> None:
        if self._on_event is not None:
            try:
                self._on_event(kind, message)
            except Exception:  # a logging callback must never kill capture
                log.exception("camera event callback failed")

    def _set_connected(self, connected: bool, message: str) -> None:
        with self._cond:
            changed = connected != self._reported
            self._reported = connected
            self.connected = connected
            self._cond.notify_all()
        if changed:
            if connected:
                if self._ever_connected:
                    self.reconnects += 1
                self._ever_connected = True
                self._emit("connected", f"camera {self.name} connected")
            else:
                self._emit("disconnected", f"camera {self.name} not connected: {message}")

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._opened:
                try:
                    self.source.open()
                    self._opened = True
                except CameraError as exc:
                    self.last_error = str(exc)
                    self._set_connected(False, str(exc))
                    self.errors += 1
                    self._stop.wait(self.reconnect_interval)
                    continue
                except Exception as exc:  # OpenCV errors etc.: same treatment
                    self.last_error = repr(exc)
                    self._set_connected(False, repr(exc))
                    self.errors += 1
                    self._stop.wait(self.reconnect_interval)
                    continue
                with self._cond:
                    self._last_frame = time.monotonic()
                self._set_connected(True, "")
            try:
                jpeg, stamp = self.source.read()
                failure = ""
            except Exception as exc:
                if self._stop.is_set():
                    break
                failure = str(exc)
            with self._cond:
                if self._reopen_reason:  # the stall watchdog asked: whatever read() did, start over
                    failure, self._reopen_reason = self._reopen_reason, ""
            if failure:
                self.errors += 1
                self.last_error = failure
                self.source.close()
                self._opened = False
                self._set_connected(False, failure)
                self._stop.wait(self.reconnect_interval)
                continue
            self._store(jpeg, stamp)

    def _store(self, jpeg: bytes, stamp: int) -> None:
        with self._cond:
            self._last_frame = time.monotonic()
            self.captured += 1
            frame = Frame(jpeg=jpeg, capture_ns=stamp, number=self.captured, camera=self.name)
            if self._recent:
                previous = self._recent[-1]
                if not previous.consumed and not previous.counted_dropped:
                    previous.counted_dropped = True
                    self.dropped += 1
            self._recent.append(_Slot(frame))
            self._cond.notify_all()

    # -- consumer side
    def _take(self, slot: _Slot) -> Frame:
        if not slot.consumed:
            slot.consumed = True
            self.consumed += 1
            if slot.counted_dropped:
                slot.counted_dropped = False
                self.dropped -= 1
        return slot.frame

    def latest(self) -> Frame | None:
        with self._cond:
            return self._recent[-1].frame if self._recent else None

    def wait_newer(self, after_number: int, timeout: float) -> Frame | None:
        """The newest frame with number > after_number (marked consumed), or None at the timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if self._recent and self._recent[-1].frame.number > after_number:
                    return self._take(self._recent[-1])
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stop.is_set():
                    return None
                self._cond.wait(remaining)

    def closest(self, capture_ns: int, tolerance_ns: int, wait: float) -> Frame | None:
        """The recent frame closest in capture time to `capture_ns` (marked consumed).

        Waits up to `wait` seconds for a closer one while the best match is further than
        `tolerance_ns` and no frame newer than `capture_ns` has arrived yet.
        """
        deadline = time.monotonic() + wait
        with self._cond:
            while True:
                best: _Slot | None = None
                for slot in self._recent:
                    if best is None or abs(slot.frame.capture_ns - capture_ns) < abs(best.frame.capture_ns - capture_ns):
                        best = slot
                good = best is not None and abs(best.frame.capture_ns - capture_ns) <= tolerance_ns
                newer_seen = bool(self._recent) and self._recent[-1].frame.capture_ns >= capture_ns
                remaining = deadline - time.monotonic()
                if good or newer_seen or remaining <= 0 or not self.connected or self._stop.is_set():
                    return self._take(best) if best is not None else None
                self._cond.wait(remaining)

    def stats(self) -> CaptureStats:
        with self._cond:
            return CaptureStats(self.name, self.connected, self.captured, self.consumed, self.dropped,
                                self.errors, self.reconnects, self.last_error)


# ------------------------------------------------------------------------------------------ system


def pair_by_time(primary: Frame, candidates: Sequence[Frame]) -> Frame | None:
    """The candidate closest in capture time to `primary` (ties: the earlier candidate)."""
    best: Frame | None = None
    for frame in candidates:
        if best is None or abs(frame.capture_ns - primary.capture_ns) < abs(best.capture_ns - primary.capture_ns):
            best = frame
    return best


@dataclass
class CameraSettings:
    source: str = "v4l2"  # v4l2 | file | sim
    devices: list[str] = field(default_factory=list)  # empty: scan (v4l2, sim); file: paths
    width: int = 640
    height: int = 480
    fps: float = 30.0
    scan_indices: tuple[int, ...] = SCAN_INDICES
    reconnect_interval: float = 1.0
    rescan_interval: float = 1.0  # hot-plug polling (when udev is not available) and probe retries
    pair_tolerance_s: float = 0.0  # 0: half a frame period
    sim_dir: str = ""  # empty: runtime.paths.sim_dir()
    hotplug: bool = True  # scanned cameras: follow plugging and unplugging (udev, else polling)
    stall_timeout: float = 3.0  # a connected camera without a frame this long is reopened; 0 = never
    jpeg_quality: int = DEFAULT_JPEG_QUALITY  # sources with raw pixels only: the one encoding

    def validate(self) -> None:
        if self.source not in ("v4l2", "file", "sim"):
            raise ValueError(f"camera source must be v4l2, file or sim, not {self.source!r}")
        if self.source == "file" and not self.devices:
            raise ValueError("the file camera source needs at least one video file or image folder")
        if len(self.devices) > 2:
            raise ValueError(f"at most two cameras (stereo) are supported, not {len(self.devices)}")
        if self.width < 0 or self.height < 0 or self.fps < 0:
            raise ValueError("width, height and fps must not be negative")
        if self.rescan_interval <= 0 or self.stall_timeout < 0:
            raise ValueError("rescan_interval must be positive and stall_timeout not negative")
        if not 1 <= self.jpeg_quality <= 100:
            raise ValueError(f"jpeg_quality must be 1..100, not {self.jpeg_quality}")


def _device_arg(text: str) -> int | str:
    text = str(text).strip()
    return int(text) if text.isdigit() else text


def scan_v4l2(indices: Sequence[int] = SCAN_INDICES, width: int = 0, height: int = 0,
              fps: float = 0.0, jpeg_quality: int = DEFAULT_JPEG_QUALITY) -> list[V4L2Source]:
    """Open every camera among /dev/video<index> that returns a frame, in `indices` order (max 2)."""
    found: list[V4L2Source] = []
    for index in indices:
        source = V4L2Source(index, width, height, fps, jpeg_quality=jpeg_quality)
        try:
            source.open()
        except CameraError as exc:
            log.debug("no camera at index %d: %s", index, exc)
            continue
        found.append(source)
        if len(found) == 2:
            break
    return found


class CameraSystem:
    """All cameras of the car: discovery and hot-plug, capture threads, paired frame sets, status.

    Scanned cameras (no `devices` given) follow the hardware: a monitor thread looks again whenever
    a device event arrives (`drivers.camera_devices`: udev, else polling every `rescan_interval`)
    and adds, removes and re-orders captures, so a camera plugged in after start is used, and a
    second one turns a mono car into a stereo one (and back). The same thread reopens a connected
    camera that delivered no frame for `stall_timeout` seconds.
    """

    MAX_CAMERAS = 2
    PROBE_RETRY_S = 5.0  # a node that appeared but does not stream yet is probed again this long

    def __init__(self, settings: CameraSettings, on_event: Callable[[str, str], None] | None = None,
                 sources: Sequence[FrameSource] | None = None, events: Any = None) -> None:
        """`sources` (left first) replaces the sources the settings describe (custom rigs, tests);
        `events` (a `camera_devices.DeviceEvents`) replaces the udev/polling event source."""
        if sources is None:
            settings.validate()
        self.settings = settings
        self._given_sources = list(sources) if sources is not None else None
        self._given_events = events
        self._events: Any = None
        self._on_event = on_event
        self._lock = threading.Lock()
        self._captures: list[CameraCapture] = []
        self._keys: list[int] = []  # device index of each capture (scanned cameras)
        self._pending: dict[int, float] = {}  # index -> monotonic time it appeared without streaming
        self._given_up: set[int] = set()  # probed for PROBE_RETRY_S without a frame: not a camera
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._monitor_thread: threading.Thread | None = None
        self._scan_reported = False
        self.redetections = 0

    @property
    def scanning(self) -> bool:
        return self._given_sources is None and not self.settings.devices

    # -- discovery
    def _sim_dir(self) -> Path:
        if self.settings.sim_dir:
            return Path(self.settings.sim_dir)
        from runtime.paths import sim_dir

        return sim_dir()

    def _explicit_sources(self) -> list[FrameSource]:
        s = self.settings
        sources: list[FrameSource] = []
        for text in s.devices:
            if s.source == "v4l2":
                sources.append(V4L2Source(_device_arg(text), s.width, s.height, s.fps, jpeg_quality=s.jpeg_quality))
            elif s.source == "file":
                sources.append(FileSource(text, s.fps or 30.0, jpeg_quality=s.jpeg_quality))
            else:
                arg = _device_arg(text)
                path = self._sim_dir() / f"camera{arg}.frame" if isinstance(arg, int) else Path(arg)
                sources.append(SimSource(path, jpeg_quality=s.jpeg_quality))
        return sources

    def _candidates(self) -> list[int]:
        """Device indices that may be cameras, left first (cheap: no device is opened)."""
        from drivers.camera_devices import list_sim_cameras, list_v4l2_cameras

        s = self.settings
        if s.source == "v4l2":
            listed = list_v4l2_cameras()
            if listed is None:  # no sysfs: every existing /dev/videoN is a candidate, probed on open
                from runtime.paths import dev_root

                listed = [i for i in s.scan_indices if (dev_root() / f"video{i}").exists()]
            order = {index: n for n, index in enumerate(s.scan_indices)}
            return sorted((i for i in listed if i in order), key=order.__getitem__)
        return [i for i in list_sim_cameras(self._sim_dir()) if i in s.scan_indices]

    def _open_source(self, index: int) -> tuple[FrameSource | None, bool]:
        """A source for device `index` and whether it is open already (V4L2 nodes are probed)."""
        s = self.settings
        if s.source == "v4l2":
            source = V4L2Source(index, s.width, s.height, s.fps, jpeg_quality=s.jpeg_quality)
            try:
                source.open()
            except CameraError as exc:
                log.debug("video%d does not stream (yet): %s", index, exc)
                return None, False
            return source, True
        return SimSource(self._sim_dir() / f"camera{index}.frame", jpeg_quality=s.jpeg_quality), False

    def _event_names(self) -> list[str]:
        prefix, suffix = ("video", "") if self.settings.source == "v4l2" else ("camera", ".frame")
        return [f"{prefix}{i}{suffix}" for i in self._candidates()]

    def start(self) -> CameraSystem:
        if self._given_sources is not None:
            self._install(self._given_sources, opened=False)
        elif self.settings.devices:
            self._install(self._explicit_sources(), opened=False)
        elif self.settings.hotplug:
            self._start_events()
        self._monitor_thread = threading.Thread(target=self._monitor, name="camera-monitor", daemon=True)
        self._monitor_thread.start()
        return self

    def _start_events(self) -> None:
        from drivers.camera_devices import watch

        def wake(event: Any) -> None:
            log.debug("camera device event: %s", event)
            self._wake.set()

        if self._given_events is not None:
            self._events = self._given_events
            self._events.start(wake)
        else:
            subsystem = "video4linux" if self.settings.source == "v4l2" else None
            self._events = watch(wake, self._event_names, subsystem, self.settings.rescan_interval)

    def _monitor(self) -> None:
        first = True
        while not self._stop.is_set():
            if self.scanning and (first or self._wake.is_set() or self._pending or not self._keys):
                self._wake.clear()
                self._redetect()
                first = False
            self._check_stalls()
            self._wake.wait(self._tick())

    def _tick(self) -> float:
        tick = self.settings.rescan_interval
        if self.settings.stall_timeout > 0:
            tick = min(tick, self.settings.stall_timeout / 2)
        return tick

    def _redetect(self) -> None:
        candidates = self._candidates()
        now = time.monotonic()
        with self._lock:
            keys, captures = list(self._keys), list(self._captures)
        by_key = dict(zip(keys, captures, strict=True))
        kept: dict[int, CameraCapture] = {k: c for k, c in by_key.items() if k in candidates}
        added: dict[int, CameraCapture] = {}
        self._given_up &= set(candidates)  # unplugged: probed again when it comes back
        for index in candidates:
            if index in kept or index in self._given_up or len(kept) + len(added) >= self.MAX_CAMERAS:
                continue
            self._pending.setdefault(index, now)
            source, opened = self._open_source(index)
            if source is None:
                continue
            self._pending.pop(index, None)
            capture = CameraCapture(source, self.settings.reconnect_interval, on_event=self._on_event)
            if opened:
                capture.adopt_open_source()
            added[index] = capture
        # a node that never streams (a metadata node where sysfs cannot tell) is left alone after a while
        for index, since in list(self._pending.items()):
            if index not in candidates:
                del self._pending[index]
            elif now - since >= self.PROBE_RETRY_S:
                del self._pending[index]
                self._given_up.add(index)
        removed = [c for k, c in by_key.items() if k not in kept]
        if not added and not removed:
            if not captures and not self._scan_reported:
                self._scan_reported = True
                self._emit("no_camera", "no camera detected; it is picked up when plugged in")
            return
        order = [i for i in candidates if i in kept or i in added]
        merged = {**kept, **added}
        self._set_captures(order, [merged[i] for i in order])
        for capture in added.values():
            capture.start()
        for capture in removed:
            capture.stop()
            self._emit("removed", f"camera {capture.name} unplugged")
        self.redetections += 1

    def _set_captures(self, keys: list[int], captures: list[CameraCapture]) -> None:
        if self._stop.is_set():
            for capture in captures:
                capture.stop()
            return
        with self._lock:
            self._keys, self._captures = keys, captures
        kind = {1: "single", 2: "stereo"}.get(len(captures), "none")
        if captures:
            self._scan_reported = False
            self._emit("detected", f"{kind} camera: " + ", ".join(c.name for c in captures))
        else:
            self._emit("no_camera", "no camera detected; it is picked up when plugged in")
            self._scan_reported = True

    def _install(self, sources: list[FrameSource], opened: bool) -> None:
        captures = [CameraCapture(src, self.settings.reconnect_interval, on_event=self._on_event)
                    for src in sources]
        if self._stop.is_set():
            for src in sources:
                src.close()
            return
        for cap in captures:
            if opened:
                cap.adopt_open_source()
            cap.start()
        self._set_captures(list(range(len(captures))), captures)

    def _check_stalls(self) -> None:
        limit = self.settings.stall_timeout
        if limit <= 0:
            return
        for capture in self.captures:
            if capture.connected and capture.seconds_without_frame() > limit:
                message = f"camera {capture.name} delivered no frame for {limit:g} s: reopening it"
                self._emit("stalled", message)
                capture.reopen(message)

    def _emit(self, kind: str, message: str) -> None:
        if self._on_event is not None:
            try:
                self._on_event(kind, message)
            except Exception:  # a logging callback must never stop discovery
                log.exception("camera event callback failed")

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._events is not None:
            self._events.stop()
        if self._monitor_thread is not None:
            self._monitor_thread.join(timeout=5)
        with self._lock:
            captures = list(self._captures)
        for cap in captures:
            cap.stop()

    # -- frames
    @property
    def captures(self) -> list[CameraCapture]:
        with self._lock:
            return list(self._captures)

    def _tolerance_ns(self) -> int:
        if self.settings.pair_tolerance_s > 0:
            return int(self.settings.pair_tolerance_s * 1e9)
        fps = self.settings.fps if self.settings.fps > 0 else 15.0
        return int(0.5e9 / fps)

    def next_frames(self, after: dict[str, int], timeout: float) -> FrameSet | None:
        """The next frame set newer than `after` (camera name -> last frame number, updated in place).

        The primary camera is the first connected one (left); others contribute the frame closest in
        capture time. Disconnected cameras are left out, so a stereo rig that loses a camera publishes
        single images until it comes back (as the original did).
        """
        captures = self.captures
        if not captures:
            self._stop.wait(min(timeout, 0.05))
            return None
        connected = [c for c in captures if c.connected]
        primary = connected[0] if connected else captures[0]
        frame = primary.wait_newer(after.get(primary.name, 0), timeout)
        if frame is None:
            return None
        after[primary.name] = frame.number
        frames = [frame]
        tolerance = self._tolerance_ns()
        for other in captures:
            if other is primary or not other.connected:
                continue
            match = other.closest(frame.capture_ns, tolerance, wait=tolerance / 1e9)
            if match is not None:
                after[other.name] = max(after.get(other.name, 0), match.number)
                frames.append(match)
        if captures.index(primary) > 0:  # keep left-first order when the left camera is back
            order = {c.name: i for i, c in enumerate(captures)}
            frames.sort(key=lambda f: order[f.camera])
        return FrameSet(tuple(frames))

    def stream_problem(self) -> str | None:
        """media_state check: why publishing cannot start (a V4L2 camera not open or not MJPEG)."""
        for cap in self.captures:
            problem = cap.source.stream_problem() if cap.connected else None
            if problem:
                return problem
        return None

    def status(self) -> list[CaptureStats]:
        return [c.stats() for c in self.captures]
