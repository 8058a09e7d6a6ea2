"""Camera images -> numpy arrays: the one image decoder of the stack (no ROS).

The inference node, the sensor fusion node's overlay, camera_pkg and the console's camera stream all
read images through it. Two kinds of payload:

**JPEG (sensor_msgs/CompressedImage, the community dialect's camera frames).** `decode_jpeg` decodes
once, straight to the colour wanted (`IMREAD_GRAYSCALE` takes libjpeg's luma plane: no chroma
upsampling, no colour conversion) and to the size wanted:

- `scaled=False` (inference): full-size decode, then `cv2.resize` INTER_LINEAR, the original camera
  node's filter. Not bit-exact with the original's path (full colour decode, INTER_LINEAR to 160x120,
  BGR -> grey): libjpeg's luma differs by a rounding step from grey recomputed from rounded BGR; on
  the trained sample model the action probabilities move by at most 6.9e-4 (1e-3 is the bound,
  tests/inference/test_jpeg_model_parity.py), at about half the reference's cost.
- `scaled=True` (display streams, the LiDAR overlay): libjpeg-turbo's scaled decoding through
  OpenCV's `IMREAD_REDUCED_*` modes, the IDCT outputs 1/2, 1/4 or 1/8 of the frame, so no full-size
  image is ever made (the largest reduction that still covers the size; what it cannot reach exactly
  is finished with INTER_LINEAR). Cheaper still, but a different filter (it averages each block where
  INTER_LINEAR samples its middle): on the sample model the probabilities move by up to 1e-2, which is
  why inference does not use it.
- Bit-exact: a full-size colour decode (`colour="bgr"` at the frame's own size) is exactly the
  original's OpenCV decode.

`jpeg_size` reads the frame size from the JPEG header alone. OpenCV is imported on the first JPEG,
so a process that never decodes one does not load it.

**Raw pixels (sensor_msgs/Image).** `decode_image` / `decode_bgr`: numpy views and channel swaps.
- 8-bit encodings: bgr8, rgb8, bgra8, rgba8, mono8, 8UC3 (as bgr8), 8UC1 (as mono8);
- `step` is the row length in bytes, padding included (0 = rows are packed);
- the last row may lack its padding (some publishers send `step * (height - 1) + width * channels`
  bytes).

Anything undecodable (another encoding, an empty size, too little data, a broken JPEG) raises
`ImageDecodeError` with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

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


# ------------------------------------------------------------------------------------------- JPEG

Colour = Literal["bgr", "grey"]
_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RSTn: no length field


def is_jpeg_format(image_format: str) -> bool:
    """A CompressedImage `format` that names JPEG ("jpeg", "jpg", "bgr8; jpeg compressed bgr8", "")."""
    text = image_format.strip().lower()
    return not text or "jpeg" in text or "jpg" in text


def jpeg_size(data: ImageData) -> tuple[int, int]:
    """(width, height) from a JPEG's frame header, without decoding it."""
    buffer = _as_bytes(data)
    size = int(buffer.size)
    if size < 4 or buffer[0] != 0xFF or buffer[1] != 0xD8:
        raise ImageDecodeError("not a JPEG image (no start-of-image marker)")
    pos = 2
    while pos + 4 <= size:
        if buffer[pos] != 0xFF:
            raise ImageDecodeError(f"broken JPEG header at byte {pos}")
        marker = int(buffer[pos + 1])
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE_MARKERS:
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image / start of scan before any frame header
            break
        length = (int(buffer[pos + 2]) << 8) | int(buffer[pos + 3])
        if marker in _SOF_MARKERS:
            if pos + 9 > size:
                break
            height = (int(buffer[pos + 5]) << 8) | int(buffer[pos + 6])
            width = (int(buffer[pos + 7]) << 8) | int(buffer[pos + 8])
            if width <= 0 or height <= 0:
                raise ImageDecodeError(f"JPEG frame header gives an empty size ({width}x{height})")
            return width, height
        pos += 2 + length
    raise ImageDecodeError("JPEG without a frame header (truncated?)")


def reduction_for(frame: tuple[int, int], wanted: tuple[int, int]) -> int:
    """The largest libjpeg scale-down (8, 4, 2 or 1) whose output still covers `wanted` (width, height)."""
    width, height = frame
    for factor in (8, 4, 2):
        if -(-width // factor) >= wanted[0] and -(-height // factor) >= wanted[1]:
            return factor
    return 1


def _imread_flag(colour: Colour, factor: int) -> int:
    import cv2

    grey = colour == "grey"
    if factor == 1:
        return int(cv2.IMREAD_GRAYSCALE if grey else cv2.IMREAD_COLOR)
    return int({
        (2, True): cv2.IMREAD_REDUCED_GRAYSCALE_2, (4, True): cv2.IMREAD_REDUCED_GRAYSCALE_4,
        (8, True): cv2.IMREAD_REDUCED_GRAYSCALE_8, (2, False): cv2.IMREAD_REDUCED_COLOR_2,
        (4, False): cv2.IMREAD_REDUCED_COLOR_4, (8, False): cv2.IMREAD_REDUCED_COLOR_8,
    }[(factor, grey)])


def decode_jpeg(data: ImageData, colour: Colour = "bgr", width: int = 0, height: int = 0,
                scaled: bool = False) -> np.ndarray:
    """A JPEG -> BGR (H, W, 3) or grey (H, W) uint8; with `width` and `height`, at that size
    (INTER_LINEAR; `scaled`: libjpeg's scaled decoding first, INTER_LINEAR only for the rest)."""
    import cv2

    if colour not in ("bgr", "grey"):
        raise ValueError(f"colour must be 'bgr' or 'grey', not {colour!r}")
    buffer = _as_bytes(data)
    frame = jpeg_size(buffer)
    wanted = (int(width), int(height)) if width > 0 and height > 0 else frame
    factor = reduction_for(frame, wanted) if scaled else 1
    image: Any = cv2.imdecode(buffer, _imread_flag(colour, factor))
    if image is None:
        raise ImageDecodeError(f"undecodable JPEG ({frame[0]}x{frame[1]}, {buffer.size} bytes)")
    if (image.shape[1], image.shape[0]) != wanted:
        image = cv2.resize(image, wanted, interpolation=cv2.INTER_LINEAR)
    return np.asarray(image)


def decode_compressed(data: ImageData, image_format: str = "jpeg", colour: Colour = "bgr",
                      width: int = 0, height: int = 0, scaled: bool = False) -> np.ndarray:
    """A sensor_msgs/CompressedImage payload (JPEG, or PNG from other publishers) -> BGR or grey."""
    if is_jpeg_format(image_format):
        return decode_jpeg(data, colour, width, height, scaled)
    import cv2

    buffer = _as_bytes(data)
    image: Any = cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE if colour == "grey" else cv2.IMREAD_COLOR)
    if image is None:
        raise ImageDecodeError(f"undecodable {image_format or 'compressed'} image ({buffer.size} bytes)")
    if width > 0 and height > 0 and (image.shape[1], image.shape[0]) != (width, height):
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.asarray(image)


def encode_jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    """BGR or grey uint8 -> JPEG bytes (for sources that deliver raw pixels: encoded once, at the source)."""
    import cv2

    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError(f"JPEG encoding failed for a {image.dtype} {tuple(image.shape)} image")
    return encoded.tobytes()
