"""numpy <-> sensor_msgs Image / CompressedImage, without cv_bridge and without per-byte Python loops.

Decoding is `perception.images` (the stack's one image decoder); this module builds the messages."""

from __future__ import annotations

import array

import cv2
import numpy as np
from builtin_interfaces.msg import Time
from sensor_msgs.msg import CompressedImage, Image

from perception.images import decode_bgr


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
    """BGR uint8 array from an 8-bit Image message (`perception.images.ImageDecodeError` otherwise)."""
    return decode_bgr(msg.data, msg.width, msg.height, msg.encoding, msg.step)


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
