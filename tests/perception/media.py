"""Camera media for tests, written through real OpenCV encoders.

Each frame shows its index as its grey level (index * STEP + BASE), which survives JPEG/MJPEG
compression, so a test can tell which frame it received.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from perception.images import decode_jpeg

BASE = 20
STEP = 12


def marked_frame(index: int, width: int = 640, height: int = 480) -> np.ndarray:
    image = np.full((height, width, 3), BASE + STEP * index, dtype=np.uint8)
    return image


def frame_index(image: np.ndarray | bytes) -> int:
    """The index a marked frame (pixels, or the JPEG a camera source delivers) carries (robust to
    compression and resizing)."""
    if isinstance(image, bytes):
        image = decode_jpeg(image)
    return int(round((float(image.mean()) - BASE) / STEP))


def write_mjpeg_avi(path: Path, frames: int, fps: float = 30.0, width: int = 640, height: int = 480) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
    assert writer.isOpened(), "OpenCV cannot write MJPEG AVI"
    for index in range(frames):
        writer.write(marked_frame(index, width, height))
    writer.release()
    return path


def write_image_folder(folder: Path, frames: int, width: int = 320, height: int = 240, ext: str = ".jpg") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(frames):
        assert cv2.imwrite(str(folder / f"frame_{index:04d}{ext}"), marked_frame(index, width, height))
    return folder
