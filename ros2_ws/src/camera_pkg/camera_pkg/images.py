"""numpy <-> sensor_msgs Image / CompressedImage, without cv_bridge and without per-byte Python loops."""

from __future__ import annotations

import array

import cv2
import numpy as np
from builtin_interfaces.msg import Time
from sensor_msgs.msg import CompressedImage, Image

_CHANNELS = {"bgr8": 3, "rgb8": 3, "mono8": 1, "bgra8": 4, "rgba8": 4, "8UC1": 1, "8UC3": 3}


def stamp_from_ns(ns: int) -> Time:
    return Time(sec=int(ns // 1_000_000_000), nanosec=int(ns % 1_000_000_000))


def stamp_to_ns(stamp: Time) -> int:
    return int(stamp.sec) * 1_000_000_000 + int(stamp.nanosec)


def _byte_array(buffer: bytes | np.ndarray) -> array.array:
    data = array.array("B")
    data.frombytes(buffer if isinstance(buffer, bytes) else np.ascontiguousarray(buffer).tobytes())
    return data


def to_image_msg(image: np.ndarray, stamp_ns: int = 0, frame_id: str = "", encoding: str = "bgr8") -> Image:
    """A bgr8 (or mono8) Image message holding a copy of `image`."""
    msg = Image()
    msg.header.stamp = stamp_from_ns(stamp_ns)
    msg.header.frame_id = frame_id
    msg.height, msg.width = int(image.shape[0]), int(image.shape[1])
    msg.encoding = encoding
    msg.is_bigendian = 0
    channels = 1 if image.ndim == 2 else int(image.shape[2])
    msg.step = msg.width * channels
    msg.data = _byte_array(image)
    return msg


def from_image_msg(msg: Image) -> np.ndarray:
    """BGR uint8 array (a view when the message already is bgr8) from an 8-bit Image message."""
    channels = _CHANNELS.get(msg.encoding)
    if channels is None:
        raise ValueError(f"unsupported image encoding {msg.encoding!r}")
    raw = np.frombuffer(msg.data, dtype=np.uint8)
    row = msg.width * channels
    if msg.step < row or len(raw) < msg.step * msg.height:
        raise ValueError(f"image data too short for {msg.width}x{msg.height} {msg.encoding}")
    rows = raw[: msg.step * msg.height].reshape(msg.height, msg.step)[:, :row]
    image = rows.reshape(msg.height, msg.width, channels) if channels > 1 else rows.reshape(msg.height, msg.width)
    if msg.encoding in ("bgr8", "8UC3"):
        return image
    if msg.encoding == "rgb8":
        return cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    if msg.encoding == "bgra8":
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if msg.encoding == "rgba8":
        return cv2.cvtColor(image, cv2.COLOR_RGBA2BGR)
    return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_GRAY2BGR)


def to_compressed_msg(image: np.ndarray, stamp_ns: int = 0, frame_id: str = "", quality: int = 80) -> CompressedImage:
    """A JPEG CompressedImage (format string as image_transport's compressed plugin writes it)."""
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("JPEG encoding failed")
    msg = CompressedImage()
    msg.header.stamp = stamp_from_ns(stamp_ns)
    msg.header.frame_id = frame_id
    msg.format = "bgr8; jpeg compressed bgr8"
    msg.data = _byte_array(encoded.tobytes())
    return msg
