"""The stack's one image decoder (`perception.images`): every 8-bit encoding, padded rows, clear errors."""

from __future__ import annotations

import array

import cv2
import numpy as np
import pytest

from perception.images import (
    ImageDecodeError,
    decode_bgr,
    decode_compressed,
    decode_image,
    decode_jpeg,
    encode_jpeg,
    jpeg_size,
    reduction_for,
)


def _bgr(seed: int, h: int, w: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def test_image_messages_are_decoded_without_cv_bridge() -> None:
    image = _bgr(6, 4, 5)
    padded = np.zeros((4, 16), np.uint8)  # row step 16 > 5 * 3
    padded[:, :15] = image.reshape(4, 15)
    np.testing.assert_array_equal(decode_image(array.array("B", padded.tobytes()), 5, 4, "bgr8", 16), image)
    np.testing.assert_array_equal(decode_image(image[:, :, ::-1].tobytes(), 5, 4, "rgb8"), image)
    grey = decode_image(image[:, :, 0].tobytes(), 5, 4, "mono8")
    assert grey.shape == (4, 5)
    with pytest.raises(ImageDecodeError, match="too short"):
        decode_image(b"\0" * 10, 5, 4, "bgr8")
    with pytest.raises(ImageDecodeError, match="not supported"):
        decode_image(b"\0" * 60, 5, 4, "yuv422")
    with pytest.raises(ImageDecodeError, match="not supported"):
        decode_bgr(bytes(12), 3, 2, "16UC1", 6)  # the console's stream skips such frames


def test_every_encoding_becomes_the_same_bgr_image() -> None:
    image = _bgr(7, 3, 4)
    alpha = np.full((3, 4, 1), 255, np.uint8)
    payloads = {
        "bgr8": image, "8UC3": image, "rgb8": image[:, :, ::-1],
        "bgra8": np.concatenate([image, alpha], axis=2), "rgba8": np.concatenate([image[:, :, ::-1], alpha], axis=2),
    }
    for encoding, pixels in payloads.items():
        bgr = decode_bgr(pixels.tobytes(), 4, 3, encoding)
        np.testing.assert_array_equal(bgr, image, err_msg=encoding)
        assert bgr.flags.c_contiguous, encoding


def test_grey_images_become_three_equal_channels() -> None:
    rgb = np.zeros((2, 3, 3), np.uint8)
    rgb[..., 0] = 200  # red in RGB
    assert decode_bgr(rgb.tobytes(), 3, 2, "rgb8", 9)[0, 0].tolist() == [0, 0, 200]
    mono = decode_bgr(bytes([7, 7, 7, 0, 7, 7, 7, 0]), 3, 2, "mono8", 4)  # padded rows
    assert mono.shape == (2, 3, 3) and int(mono.max()) == 7 and int(mono.min()) == 7
    assert decode_image(bytes([1, 2, 3, 4]), 2, 2, "8UC1").tolist() == [[1, 2], [3, 4]]


def test_a_last_row_without_its_padding_is_accepted() -> None:
    image = _bgr(8, 2, 2)
    data = image[0].tobytes() + b"\0\0" + image[1].tobytes()  # step 8, the last row's padding missing
    np.testing.assert_array_equal(decode_image(data, 2, 2, "bgr8", 8), image)


@pytest.mark.parametrize(("width", "height", "step", "size", "why"), [
    (0, 2, 0, 12, "empty image"),
    (2, -1, 0, 12, "empty image"),
    (2, 2, 4, 12, "too short"),  # step shorter than a row
    (2, 2, 0, 11, "too short"),
])
def test_bad_sizes_are_refused_with_the_reason(width: int, height: int, step: int, size: int, why: str) -> None:
    with pytest.raises(ImageDecodeError, match=why):
        decode_bgr(bytes(size), width, height, "bgr8", step)
    assert issubclass(ImageDecodeError, ValueError)


# ---- JPEG (community dialect camera frames)

def _camera_jpeg(width: int = 640, height: int = 480, quality: int = 90) -> bytes:
    rng = np.random.default_rng(4)
    image = cv2.GaussianBlur(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), (0, 0), 2)
    return encode_jpeg(image, quality)


def test_jpeg_size_comes_from_the_header_alone() -> None:
    jpeg = _camera_jpeg(640, 480)
    assert jpeg_size(jpeg) == (640, 480)
    assert jpeg_size(array.array("B", jpeg)) == (640, 480)          # as rclpy hands message data over
    assert jpeg_size(jpeg[:700]) == (640, 480)                      # the frame header is near the start
    for bad in (b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0\x00\x10JFIF"):
        with pytest.raises(ImageDecodeError):
            jpeg_size(bad)


def test_jpeg_decodes_straight_to_the_size_and_colour_asked() -> None:
    jpeg = _camera_jpeg(640, 480)
    assert reduction_for((640, 480), (160, 120)) == 4 and reduction_for((640, 480), (200, 120)) == 2
    assert reduction_for((160, 120), (160, 120)) == 1 and reduction_for((640, 480), (640, 480)) == 1
    assert decode_jpeg(jpeg).shape == (480, 640, 3)
    buffer = np.frombuffer(jpeg, np.uint8)
    grey = decode_jpeg(jpeg, "grey", 160, 120)                      # the luma plane, INTER_LINEAR to the size
    assert grey.shape == (120, 160) and grey.dtype == np.uint8
    np.testing.assert_array_equal(grey, cv2.resize(cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE), (160, 120),
                                                   interpolation=cv2.INTER_LINEAR))
    # scaled: libjpeg's 1/4 scaled decode, the same pixels as OpenCV's IMREAD_REDUCED_GRAYSCALE_4
    scaled = decode_jpeg(jpeg, "grey", 160, 120, scaled=True)
    np.testing.assert_array_equal(scaled, cv2.imdecode(buffer, cv2.IMREAD_REDUCED_GRAYSCALE_4))
    assert decode_jpeg(jpeg, "bgr", 200, 150, scaled=True).shape == (150, 200, 3)  # 1/2, then the rest
    assert decode_compressed(jpeg, "bgr8; jpeg compressed bgr8", "grey", 160, 120).shape == (120, 160)
    np.testing.assert_array_equal(decode_jpeg(jpeg), cv2.imdecode(buffer, cv2.IMREAD_COLOR))   # bit-exact


def test_broken_or_other_compressed_images() -> None:
    jpeg = _camera_jpeg(64, 48)
    with pytest.raises(ImageDecodeError, match="undecodable JPEG"):
        decode_jpeg(jpeg[:200] + bytes(100))
    png = cv2.imencode(".png", np.full((48, 64, 3), 9, np.uint8))[1].tobytes()
    assert decode_compressed(png, "png", "bgr").shape == (48, 64, 3)
    with pytest.raises(ImageDecodeError):
        decode_compressed(b"garbage", "png")
    with pytest.raises(ValueError):
        decode_jpeg(jpeg, "rgb")  # type: ignore[arg-type]
