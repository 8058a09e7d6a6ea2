"""Camera images: a sensor_msgs/Image payload (encoding, width, height, step, data) -> numpy arrays.

The one decoder of the stack, with no ROS and no OpenCV (numpy views and channel swaps only, so the
device console does not load OpenCV for it): the inference node, the sensor fusion node's overlay,
camera_pkg and the console's camera stream all read images through it.

- 8-bit encodings: bgr8, rgb8, bgra8, rgba8, mono8, 8UC3 (as bgr8), 8UC1 (as mono8);
- `step` is the row length in bytes, padding included (0 = rows are packed);
- the last row may lack its padding (some publishers send `step * (height - 1) + width * channels`
  bytes);
- anything else (another encoding, an empty size, too little data) raises `ImageDecodeError` with
  the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

CHANNELS = {"bgr8": 3, "rgb8": 3, "bgra8": 4, "rgba8": 4, "mono8": 1, "8UC1": 1, "8UC3": 3}

ImageData = bytes | bytearray | memoryview | np.ndarray | Sequence[int]


class ImageDecodeError(ValueError):
    """An image payload that cannot be decoded; the message says why."""


def _as_bytes(data: object) -> np.ndarray:
    if isinstance(data, np.ndarray):
        return data.reshape(-1).astype(np.uint8, copy=False)
    try:
        return np.frombuffer(data, dtype=np.uint8)  # type: ignore[call-overload]  # bytes, array.array('B')
    except TypeError:
        return np.asarray(data, dtype=np.uint8).reshape(-1)


def decode_image(data: ImageData, width: int, height: int, encoding: str = "bgr8", step: int = 0) -> np.ndarray:
    """BGR (height, width, 3) uint8, or grey (height, width) for mono8/8UC1; a view of `data` where it can be."""
    channels = CHANNELS.get(encoding)
    if channels is None:
        raise ImageDecodeError(f"image encoding {encoding!r} is not supported (use bgr8, rgb8 or mono8)")
    if height <= 0 or width <= 0:
        raise ImageDecodeError(f"empty image ({width}x{height})")
    row = width * channels
    step = step or row
    buffer = _as_bytes(data)
    if step < row or buffer.size < step * (height - 1) + row:
        raise ImageDecodeError(f"image data too short for {width}x{height} {encoding}")
    if buffer.size < step * height:
        buffer = np.concatenate([buffer, np.zeros(step * height - buffer.size, np.uint8)])
    pixels = buffer[: step * height].reshape(height, step)[:, :row]
    if channels == 1:
        return pixels.reshape(height, width)
    pixels = pixels.reshape(height, width, channels)
    if encoding == "rgb8":
        return pixels[:, :, ::-1]
    if encoding == "bgra8":
        return pixels[:, :, :3]
    if encoding == "rgba8":
        return pixels[:, :, 2::-1]
    return pixels


def decode_bgr(data: ImageData, width: int, height: int, encoding: str = "bgr8", step: int = 0) -> np.ndarray:
    """Always a C-contiguous BGR (height, width, 3) uint8 array (grey images repeated into 3 channels)."""
    image = decode_image(data, width, height, encoding, step)
    if image.ndim == 2:
        image = np.repeat(image[:, :, np.newaxis], 3, axis=2)
    return np.ascontiguousarray(image)
