"""MJPEG streams of camera and LiDAR-overlay frames for any number of viewers.

The ROS bridge puts each new frame into the `StreamHub` (a JPEG from a CompressedImage topic, or a
BGR array from an Image topic); viewers of `/route?topic=...` iterate `StreamHub.frames(...)`.

- Each frame is encoded at most once per (size, quality), however many viewers watch that size;
  a JPEG source (the camera's own JPEG, community dialect) requested at its own size is passed
  through as it is, neither decoded nor re-encoded; another size is decoded straight to it where
  libjpeg's scaled decoding can (`perception.images.decode_jpeg`) and encoded once.
- A viewer always jumps to the newest frame: a slow client (the HTTP send waits for the socket)
  drops intermediate frames instead of buffering them.
- The iterator ends (and the viewer is unregistered) when the client goes away.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
import numpy as np

from perception import images

BOUNDARY = "boundarydonotcross"
MULTIPART_CONTENT_TYPE = f"multipart/x-mixed-replace;boundary={BOUNDARY}"
# A compressed frame newer than this makes raw frames of the same topic redundant.
PREFER_COMPRESSED_S = 1.0



def _cv2() -> Any:
    """OpenCV, imported on first use: the console only decodes or re-encodes when a viewer asks for
    a size the camera does not publish (about 15 MB of the console's memory otherwise)."""
    import cv2

    return cv2

def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a JPEG (`perception.images`, the stack's one decoder), None if unreadable."""
    try:
        return images.jpeg_size(data)
    except images.ImageDecodeError:
        return None


@dataclass
class Frame:
    seq: int
    width: int
    height: int
    stamp: float
    jpeg: bytes | None = None
    bgr: np.ndarray | None = None
    _decoded: np.ndarray | None = field(default=None, repr=False)

    def image(self, width: int = 0, height: int = 0) -> np.ndarray | None:
        """The frame as BGR; a JPEG frame decoded straight to `width` x `height` when given."""
        if self.bgr is not None:
            return self.bgr
        if self.jpeg is None:
            return None
        if width and height and (width, height) != (self.width, self.height):
            try:
                return images.decode_jpeg(self.jpeg, "bgr", width, height, scaled=True)
            except images.ImageDecodeError:
                return None
        if self._decoded is None:
            try:
                self._decoded = images.decode_jpeg(self.jpeg, "bgr")
            except images.ImageDecodeError:
                return None
        return self._decoded


def mjpeg_part(jpeg: bytes, stamp: float) -> bytes:
    head = (f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n"
            f"X-Timestamp: {stamp:.6f}\r\n\r\n").encode()
    return head + jpeg + b"\r\n"


class StreamHub:
    """Latest frame per topic, shared encoding, and wake-ups for waiting viewers."""

    def __init__(self, topics: Iterable[str], default_quality: int = 95,
                 on_watch: Callable[[str, bool], None] | None = None) -> None:
        """`on_watch(topic, watched)` is called when a topic gets its first viewer (True) and when its
        last viewer leaves (False), so the source subscribes only while someone watches."""
        self.topics = tuple(topics)
        self.on_watch = on_watch
        self.default_quality = default_quality
        self._lock = threading.Lock()
        self._seq = 0
        self._frames: dict[str, Frame] = {}
        self._last_jpeg: dict[str, float] = {}
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self._viewers: Counter[str] = Counter()
        self._encoded: dict[tuple[str, int, int, int], tuple[int, bytes]] = {}
        self._encode_locks: dict[tuple[str, int, int, int], threading.Lock] = {}
        self.encode_count = 0  # JPEG encodings performed (one per frame and size, not per viewer)
        self.frames_published: Counter[str] = Counter()
        self._closed = False

    def close(self) -> None:
        """End every stream (the server is shutting down); new viewers end at once."""
        with self._lock:
            self._closed = True
            waiters = [w for ws in self._waiters.values() for w in ws]
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:
                pass

    # -- producers (any thread) --------------------------------------------------------------
    def publish_jpeg(self, topic: str, data: bytes, stamp: float | None = None) -> bool:
        size = jpeg_size(data)
        if size is None:
            return False
        now = time.monotonic()
        with self._lock:
            self._last_jpeg[topic] = now
            self._store_locked(topic, Frame(0, size[0], size[1], stamp or time.time(), jpeg=bytes(data)))
        return True

    def publish_bgr(self, topic: str, image: np.ndarray, stamp: float | None = None) -> bool:
        """A BGR (or grey) frame; ignored while the same topic also arrives compressed."""
        if image.ndim == 2:
            image = _cv2().cvtColor(image, _cv2().COLOR_GRAY2BGR)
        if image.ndim != 3 or image.shape[2] != 3 or image.size == 0:
            return False
        now = time.monotonic()
        with self._lock:
            if now - self._last_jpeg.get(topic, -1e9) < PREFER_COMPRESSED_S:
                return False
            height, width = image.shape[:2]
            self._store_locked(topic, Frame(0, width, height, stamp or time.time(), bgr=image))
        return True

    def _store_locked(self, topic: str, frame: Frame) -> None:
        self._seq += 1
        frame.seq = self._seq
        self._frames[topic] = frame
        self.frames_published[topic] += 1
        for loop, event in list(self._waiters.get(topic, ())):
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # loop closed: that viewer is gone
                self._waiters[topic].discard((loop, event))

    # -- observers ---------------------------------------------------------------------------
    def viewers(self, topic: str) -> int:
        with self._lock:
            return self._viewers[topic]

    def latest(self, topic: str) -> Frame | None:
        with self._lock:
            return self._frames.get(topic)

    # -- encoding ----------------------------------------------------------------------------
    def output_size(self, frame: Frame, width: int | None, height: int | None) -> tuple[int, int]:
        if width and height:
            return width, height
        if width:
            return width, max(1, round(frame.height * width / frame.width))
        if height:
            return max(1, round(frame.width * height / frame.height)), height
        return frame.width, frame.height

    def encode_sync(self, topic: str, frame: Frame, width: int | None, height: int | None,
                    quality: int | None) -> bytes | None:
        out_w, out_h = self.output_size(frame, width, height)
        if frame.jpeg is not None and quality is None and (out_w, out_h) == (frame.width, frame.height):
            return frame.jpeg
        q = self.default_quality if quality is None else quality
        key = (topic, out_w, out_h, q)
        with self._lock:
            cached = self._encoded.get(key)
            if cached is not None and cached[0] == frame.seq:
                return cached[1]
            key_lock = self._encode_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                cached = self._encoded.get(key)
                if cached is not None and cached[0] >= frame.seq:
                    return cached[1]
            image = frame.image(out_w, out_h)
            if image is None:
                return None
            if (image.shape[1], image.shape[0]) != (out_w, out_h):
                image = _cv2().resize(image, (out_w, out_h), interpolation=_cv2().INTER_LINEAR)
            ok, buf = _cv2().imencode(".jpg", image, [int(_cv2().IMWRITE_JPEG_QUALITY), int(q)])
            if not ok:
                return None
            data = buf.tobytes()
            with self._lock:
                self._encoded[key] = (frame.seq, data)
                self.encode_count += 1
            return data

    def _cached(self, topic: str, frame: Frame, width: int | None, height: int | None,
                quality: int | None) -> bytes | None:
        out_w, out_h = self.output_size(frame, width, height)
        if frame.jpeg is not None and quality is None and (out_w, out_h) == (frame.width, frame.height):
            return frame.jpeg
        key = (topic, out_w, out_h, self.default_quality if quality is None else quality)
        with self._lock:
            cached = self._encoded.get(key)
        return cached[1] if cached is not None and cached[0] == frame.seq else None

    # -- viewers (asyncio) -------------------------------------------------------------------
    async def frames(self, topic: str, width: int | None = None, height: int | None = None,
                     quality: int | None = None) -> AsyncIterator[tuple[bytes, float]]:
        """Yield (jpeg, stamp) for every newest frame this viewer gets to see."""
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        waiter = (loop, event)
        with self._lock:
            self._viewers[topic] += 1
            first = self._viewers[topic] == 1
            self._waiters.setdefault(topic, set()).add(waiter)
        if first and self.on_watch is not None:
            self.on_watch(topic, True)
        last_seq = 0
        try:
            while not self._closed:
                event.clear()
                frame = self.latest(topic)
                if frame is None or frame.seq == last_seq:
                    await event.wait()
                    continue
                last_seq = frame.seq
                data = self._cached(topic, frame, width, height, quality)
                if data is None:
                    data = await anyio.to_thread.run_sync(self.encode_sync, topic, frame, width, height,
                                                          quality)
                if data is not None:
                    yield data, frame.stamp
        finally:
            with self._lock:
                self._viewers[topic] -= 1
                last = self._viewers[topic] <= 0
                if last:
                    del self._viewers[topic]
                self._waiters.get(topic, set()).discard(waiter)
            if last and self.on_watch is not None:
                self.on_watch(topic, False)

    async def multipart(self, topic: str, width: int | None, height: int | None,
                        quality: int | None) -> AsyncIterator[bytes]:
        async for data, stamp in self.frames(topic, width, height, quality):
            yield mjpeg_part(data, stamp)

