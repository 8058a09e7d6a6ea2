"""numpy / JPEG <-> sensor_msgs Image / CompressedImage, without cv_bridge and without per-byte Python loops.

Decoding is `perception.images` (the stack's one image decoder); this module builds the messages.
CompressedImage messages carry `format` "jpeg", as the community's camera publishes them."""

from __future__ import annotations

import array

import numpy as np
from builtin_interfaces.msg import Time
from sensor_msgs.msg import CompressedImage, Image

from perception.images import Colour, decode_bgr, decode_compressed, encode_jpeg

JPEG_FORMAT = "jpeg"


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


def jpeg_msg(jpeg: bytes, stamp_ns: int = 0, frame_id: str = "") -> CompressedImage:
    """A CompressedImage holding `jpeg` as it is (no decoding, no encoding)."""
    msg = CompressedImage()
    msg.header.stamp = stamp_from_ns(stamp_ns)
    msg.header.frame_id = frame_id
    msg.format = JPEG_FORMAT
    msg.data = _byte_array(jpeg)
    return msg


def to_compressed_msg(image: np.ndarray, stamp_ns: int = 0, frame_id: str = "", quality: int = 80) -> CompressedImage:
    """A CompressedImage of `image` encoded as JPEG (for images made on the car, e.g. the overlay)."""
    return jpeg_msg(encode_jpeg(image, quality), stamp_ns, frame_id)


def from_compressed_msg(msg: CompressedImage, colour: Colour = "bgr", width: int = 0, height: int = 0,
                        scaled: bool = False) -> np.ndarray:
    """A CompressedImage decoded (to `width` x `height` when given; `scaled`: libjpeg's scaled
    decoding, for display images): `perception.images`."""
    return decode_compressed(msg.data, msg.format, colour, width, height, scaled)
