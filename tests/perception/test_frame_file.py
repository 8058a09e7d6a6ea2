"""The simulator -> camera frame file: header, whole frames only, replaced files, bad input."""

from __future__ import annotations

import struct
import threading
from pathlib import Path

import numpy as np
import pytest

from drivers.frame_file import MAGIC, FrameFormatError, FrameReader, FrameWriter, frame_path
from perception.images import decode_jpeg, encode_jpeg


def test_written_frame_is_read_back_with_its_stamp_and_number(tmp_path: Path) -> None:
    path = tmp_path / "camera0.frame"
    image = np.random.default_rng(1).integers(0, 256, (120, 160, 3), dtype=np.uint8)
    with FrameWriter(path, 160, 120) as writer, FrameReader(path) as reader:
        assert reader.read() is None  # nothing written yet
        assert writer.write(image, capture_ns=1_234_567_890_123) == 1
        frame = reader.read()
        assert frame is not None
        assert frame.number == 1 and frame.capture_ns == 1_234_567_890_123
        assert np.array_equal(frame.image, image)
        image[0, 0] = 7  # the reader's frame is a copy
        writer.write(image)
        assert reader.latest_number() == 2
        assert reader.read().image[0, 0].tolist() == [7, 7, 7]
    raw = path.read_bytes()
    assert raw[:8] == MAGIC
    assert struct.unpack_from("<III", raw, 8) == (160, 120, 3)
    assert struct.unpack_from("<Q", raw, 24)[0] == 4  # sequence 2n after n frames


def test_reader_never_sees_a_torn_frame(tmp_path: Path) -> None:
    path = tmp_path / "camera0.frame"
    writer = FrameWriter(path, 64, 48)
    reader = FrameReader(path)
    stop = threading.Event()

    def write_loop() -> None:
        value = 0
        while not stop.is_set():
            value = (value + 1) % 256
            writer.write(np.full((48, 64, 3), value, np.uint8))

    thread = threading.Thread(target=write_loop)
    thread.start()
    try:
        checked = 0
        while checked < 300:
            frame = reader.read()
            if frame is None:
                continue
            assert frame.image.min() == frame.image.max(), "mixed pixels of two frames"
            checked += 1
    finally:
        stop.set()
        thread.join()
        writer.close()
        reader.close()


def test_reader_follows_a_writer_that_restarts_with_another_size(tmp_path: Path) -> None:
    path = tmp_path / "camera0.frame"
    FrameWriter(path, 32, 24).write(np.zeros((24, 32, 3), np.uint8))
    reader = FrameReader(path)
    assert reader.read().image.shape == (24, 32, 3)
    FrameWriter(path, 64, 48, channels=1).write(np.full((48, 64), 9, np.uint8), capture_ns=5)
    frame = reader.read()
    assert frame.image.shape == (48, 64) and frame.capture_ns == 5
    reader.close()


def test_jpeg_frames_are_stored_and_read_back_as_they_are(tmp_path: Path) -> None:
    path = tmp_path / "camera0.frame"
    image = np.random.default_rng(2).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    with FrameWriter(path, 64, 48, jpeg_quality=90) as writer, FrameReader(path) as reader:
        assert writer.write(image, capture_ns=11) == 1          # encoded once, like a camera's MJPEG
        frame = reader.read()
        assert frame is not None and frame.image is None and frame.jpeg is not None
        assert decode_jpeg(frame.jpeg).shape == (48, 64, 3) and frame.capture_ns == 11
        ready = encode_jpeg(np.zeros((48, 64, 3), np.uint8), 50)
        assert writer.write_jpeg(ready, capture_ns=12) == 2     # a ready JPEG goes in unchanged
        assert reader.read().jpeg == ready
        with pytest.raises(FrameFormatError):
            writer.write_jpeg(b"not a jpeg")
        assert writer.frames_written == 2 and reader.read().jpeg == ready
    assert struct.unpack_from("<IIII", path.read_bytes(), 8) == (64, 48, 3, 1)   # encoding 1 = JPEG


def test_bad_input_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        FrameWriter(tmp_path / "x.frame", 0, 10)
    with pytest.raises(ValueError):
        FrameWriter(tmp_path / "x.frame", 10, 10, channels=2)
    writer = FrameWriter(tmp_path / "x.frame", 10, 10)
    with pytest.raises(FrameFormatError):
        writer.write(np.zeros((10, 11, 3), np.uint8))
    with pytest.raises(FrameFormatError):
        writer.write(np.zeros((10, 10, 3), np.float32))
    assert writer.frames_written == 0
    writer.close()
    (tmp_path / "junk.frame").write_bytes(b"JUNKJUNK" + bytes(100))
    with pytest.raises(FrameFormatError):
        FrameReader(tmp_path / "junk.frame")
    with pytest.raises(FileNotFoundError):
        FrameReader(tmp_path / "missing.frame")


def test_conventional_path_is_under_the_sim_dir(state_dir: Path) -> None:
    assert frame_path(1) == state_dir / "sim" / "camera1.frame"
