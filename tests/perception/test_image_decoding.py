"""The stack's one image decoder (`perception.images`): every 8-bit encoding, padded rows, clear errors."""

from __future__ import annotations

import array

import numpy as np
import pytest

from perception.images import ImageDecodeError, decode_bgr, decode_image


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
