"""The frame file: camera frames shared between the simulator (writer) and the camera driver (reader).

One frame lives in a memory-mapped file, by convention `runtime.paths.sim_dir()/camera{index}.frame`:

    offset  size  field
    0       8     magic b"DRFRAME1"
    8       4     width   (uint32, little endian)
    12      4     height  (uint32)
    16      4     channels (uint32, 1 or 3; 3 = BGR)
    20      4     encoding (uint32): 0 raw pixels, 1 JPEG
    24      8     sequence (uint64): odd while the writer is copying a frame, even when the frame is whole
    32      8     capture time (uint64, ns since the epoch, `time.time_ns()`)
    40      ...   raw: pixels, height*width*channels bytes, row major
                  JPEG: length (uint64), then that many bytes of one JPEG image (room for
                  `jpeg_capacity(width, height, channels)` bytes)

A JPEG frame file is what a real MJPEG camera is to the car: the camera driver passes the frame on
as it comes, without decoding it (the simulator writes JPEG; tests may write raw pixels).

The sequence works as a seqlock: a reader copies the pixels between two reads of the sequence and keeps
the copy only when both reads are equal and even, so it never sees half of two frames. Frame number n
(1, 2, ...) is sequence 2n. A writer that starts again with other dimensions replaces the file (new
inode); readers notice and map the new one.
"""

from __future__ import annotations

import mmap
import os
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"DRFRAME1"
HEADER = struct.Struct("<8sIIII")  # magic, width, height, channels, encoding
SEQ_OFFSET = 24
STAMP_OFFSET = 32
PIXELS_OFFSET = 40
JPEG_OFFSET = PIXELS_OFFSET + 8
RAW, JPEG = 0, 1
_U64 = struct.Struct("<Q")
REPLACE_CHECK_S = 0.2


def jpeg_capacity(width: int, height: int, channels: int) -> int:
    """Room for one JPEG frame: the raw size plus 64 KiB (headers, incompressible noise)."""
    return width * height * channels + 65536


class FrameFormatError(ValueError):
    """The file is not a frame file (wrong magic, size or dimensions)."""


@dataclass(frozen=True)
class SharedFrame:
    image: np.ndarray | None  # raw files: height x width x channels, uint8, a private copy
    capture_ns: int
    number: int  # 1 for the first frame the writer wrote, then 2, 3, ...
    jpeg: bytes | None = None  # JPEG files: the frame's JPEG bytes


def frame_path(index: int = 0) -> Path:
    """Where the simulator writes camera `index` (`<sim_dir>/camera{index}.frame`)."""
    from runtime.paths import sim_dir

    return sim_dir() / f"camera{index}.frame"


class FrameWriter:
    """Writes frames into `path`; creates (or replaces) the file atomically on construction.

    `jpeg_quality` > 0 makes a JPEG frame file: `write()` encodes each image once (like a camera's
    MJPEG encoder) and `write_jpeg()` stores ready JPEG bytes; 0 stores raw pixels.
    """

    def __init__(self, path: str | os.PathLike[str], width: int, height: int, channels: int = 3,
                 jpeg_quality: int = 0) -> None:
        if width <= 0 or height <= 0:
            raise ValueError(f"frame size must be positive, not {width}x{height}")
        if channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, not {channels}")
        if not 0 <= jpeg_quality <= 100:
            raise ValueError(f"jpeg_quality must be 0 (raw) or 1..100, not {jpeg_quality}")
        self.path = Path(path)
        self.width, self.height, self.channels = int(width), int(height), int(channels)
        self.jpeg_quality = int(jpeg_quality)
        self.encoding = JPEG if self.jpeg_quality else RAW
        self._frame_bytes = self.width * self.height * self.channels
        payload = jpeg_capacity(self.width, self.height, self.channels) + 8 if self.encoding == JPEG \
            else self._frame_bytes
        size = PIXELS_OFFSET + payload
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            handle.write(HEADER.pack(MAGIC, self.width, self.height, self.channels, self.encoding))
            handle.write(b"\0" * (size - HEADER.size))
        os.replace(tmp, self.path)
        self._file = open(self.path, "r+b")
        self._map = mmap.mmap(self._file.fileno(), size)
        self._pixels = np.frombuffer(self._map, dtype=np.uint8, count=payload, offset=PIXELS_OFFSET)
        self._seq = 0

    @property
    def frames_written(self) -> int:
        return self._seq // 2

    def write(self, image: np.ndarray, capture_ns: int | None = None) -> int:
        """Publish one frame (uint8, height x width [x channels]); returns its frame number."""
        allowed: set[tuple[int, ...]] = {(self.height, self.width, self.channels)}
        if self.channels == 1:
            allowed.add((self.height, self.width))
        if image.dtype != np.uint8 or tuple(image.shape) not in allowed:
            raise FrameFormatError(f"frame must be uint8 {self.height}x{self.width}x{self.channels}, "
                                   f"not {image.dtype} {tuple(image.shape)}")
        if self.encoding == JPEG:
            from perception.images import encode_jpeg

            return self.write_jpeg(encode_jpeg(image, self.jpeg_quality), capture_ns)
        return self._publish(lambda: self._pixels.__setitem__(slice(None), image.reshape(-1)), capture_ns)

    def write_jpeg(self, jpeg: bytes, capture_ns: int | None = None) -> int:
        """Publish one ready JPEG frame (JPEG frame files only); returns its frame number."""
        if self.encoding != JPEG:
            raise FrameFormatError(f"{self.path} holds raw pixels, not JPEG")
        room = self._pixels.size - 8
        if not jpeg.startswith(b"\xff\xd8") or len(jpeg) > room:
            raise FrameFormatError(f"not a JPEG frame of at most {room} bytes ({len(jpeg)} bytes)")

        def copy() -> None:
            _U64.pack_into(self._map, PIXELS_OFFSET, len(jpeg))
            self._map[JPEG_OFFSET:JPEG_OFFSET + len(jpeg)] = jpeg

        return self._publish(copy, capture_ns)

    def _publish(self, copy: Callable[[], None], capture_ns: int | None) -> int:
        stamp = time.time_ns() if capture_ns is None else int(capture_ns)
        self._seq += 1  # odd: writing
        _U64.pack_into(self._map, SEQ_OFFSET, self._seq)
        copy()
        _U64.pack_into(self._map, STAMP_OFFSET, stamp)
        self._seq += 1  # even: complete
        _U64.pack_into(self._map, SEQ_OFFSET, self._seq)
        return self._seq // 2

    def close(self) -> None:
        if self._map is not None:
            del self._pixels
            self._map.close()
            self._file.close()
            self._map = None  # type: ignore[assignment]

    def __enter__(self) -> FrameWriter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class FrameReader:
    """Reads the newest whole frame from `path`; follows a writer that replaces the file.

    Raises FileNotFoundError when the file does not exist and FrameFormatError when it is not a frame
    file; `read()` raises the same if the file disappears or is replaced by garbage later.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._file = None
        self._map: mmap.mmap | None = None
        self._inode: tuple[int, int] | None = None
        self._checked = 0.0
        self.width = self.height = self.channels = self.encoding = 0
        self._open()

    def _open(self) -> None:
        self.close()
        handle = open(self.path, "rb")
        try:
            st = os.fstat(handle.fileno())
            if st.st_size < PIXELS_OFFSET:
                raise FrameFormatError(f"{self.path} is too short to be a frame file")
            mapped = mmap.mmap(handle.fileno(), st.st_size, access=mmap.ACCESS_READ)
            magic, width, height, channels, encoding = HEADER.unpack_from(mapped, 0)
            if magic != MAGIC:
                mapped.close()
                raise FrameFormatError(f"{self.path} is not a frame file (magic {magic!r})")
            payload = jpeg_capacity(width, height, channels) + 8 if encoding == JPEG else width * height * channels
            if width == 0 or height == 0 or channels not in (1, 3) or encoding not in (RAW, JPEG) or \
                    st.st_size < PIXELS_OFFSET + payload:
                mapped.close()
                raise FrameFormatError(f"{self.path} has a bad header ({width}x{height}x{channels}, "
                                       f"encoding {encoding})")
        except BaseException:
            handle.close()
            raise
        self._file = handle  # type: ignore[assignment]
        self._map = mapped
        self._inode = (st.st_dev, st.st_ino)
        self.width, self.height, self.channels, self.encoding = width, height, channels, encoding

    def _replaced(self) -> bool:
        st = os.stat(self.path)  # FileNotFoundError when the writer's file is gone
        return (st.st_dev, st.st_ino) != self._inode

    @property
    def sequence(self) -> int:
        """The raw sequence counter (cheap; even = a whole frame is there)."""
        if self._map is None:
            self._open()
        assert self._map is not None
        return int(_U64.unpack_from(self._map, SEQ_OFFSET)[0])

    def latest_number(self) -> int:
        """Number of the newest complete frame (0 = none yet); follows a replaced file.

        Cheap enough to poll: the file's identity is checked at most every REPLACE_CHECK_S seconds.
        """
        now = time.monotonic()
        if self._map is None or now - self._checked >= REPLACE_CHECK_S:
            self._checked = now
            if self._map is None or self._replaced():
                self._open()
        return self.sequence // 2

    def read(self, retries: int = 50) -> SharedFrame | None:
        """Copy of the newest whole frame, or None when the writer has not written one yet."""
        if self._map is None or self._replaced():
            self._open()
        mapped = self._map
        assert mapped is not None
        for _ in range(retries):
            before = int(_U64.unpack_from(mapped, SEQ_OFFSET)[0])
            if before == 0:
                return None
            if before % 2:
                time.sleep(0.0002)
                continue
            image, jpeg = self._copy_payload(mapped)
            stamp = int(_U64.unpack_from(mapped, STAMP_OFFSET)[0])
            after = int(_U64.unpack_from(mapped, SEQ_OFFSET)[0])
            if before == after:
                if jpeg is None and image is None:
                    raise FrameFormatError(f"{self.path}: a JPEG frame with a bad length")
                return SharedFrame(image, stamp, before // 2, jpeg)
        raise TimeoutError(f"{self.path}: the writer never finished a frame")

    def _copy_payload(self, mapped: mmap.mmap) -> tuple[np.ndarray | None, bytes | None]:
        """(pixels, None) of a raw file or (None, JPEG bytes) of a JPEG file; (None, None) for a
        length that cannot be right (possible mid-write: the sequence check decides)."""
        if self.encoding == JPEG:
            length = int(_U64.unpack_from(mapped, PIXELS_OFFSET)[0])
            if not 0 < length <= jpeg_capacity(self.width, self.height, self.channels):
                return None, None
            return None, mapped[JPEG_OFFSET:JPEG_OFFSET + length]
        count = self.width * self.height * self.channels
        shape = (self.height, self.width) if self.channels == 1 else (self.height, self.width, self.channels)
        return np.frombuffer(mapped, dtype=np.uint8, count=count, offset=PIXELS_OFFSET).copy().reshape(shape), None

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> FrameReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
