"""Pre-processing as the original: BGR -> grey, resize, stereo as 2 channels, LiDAR verbatim, raw 0-255."""

from __future__ import annotations

import array

import numpy as np
import pytest

from inference.engine import InputSpec
from inference.preprocess import (
    GREY,
    GREY_MASK,
    GREY_THRESHOLD,
    RGB,
    build_input,
    build_inputs,
    camera_plane,
)

CAMERA = InputSpec("main_level/agent/main/online/network_0/FRONT_FACING_CAMERA/FRONT_FACING_CAMERA",
                   "FRONT_FACING_CAMERA", (1, 120, 160, 1), "NHWC")
STEREO = InputSpec("main_level/agent/main/online/network_0/STEREO_CAMERAS/STEREO_CAMERAS", "STEREO_CAMERAS",
                   (1, 120, 160, 2), "NHWC", 0)
LIDAR = InputSpec("main_level/agent/main/online/network_0/LIDAR/LIDAR", "LIDAR", (1, 64), "NC", 1)


def _bgr(seed: int, h: int = 120, w: int = 160) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def test_bgr_to_grey_uses_the_bgr_channel_order_and_raw_values() -> None:
    image = _bgr(1)
    got = build_input(CAMERA, [image], [])
    b, g, r = (image[:, :, i].astype(np.float64) for i in range(3))
    want = 0.299 * r + 0.587 * g + 0.114 * b          # ITU-R BT.601, as cv::COLOR_BGR2GRAY
    assert got.shape == (1, 120, 160, 1) and got.dtype == np.float32
    assert np.max(np.abs(got[0, :, :, 0] - want)) <= 1.0
    assert got.max() > 200  # raw 0-255, no /255 on the car (the graph divides)
    pure_blue = np.zeros((120, 160, 3), np.uint8)
    pure_blue[:, :, 0] = 255
    assert build_input(CAMERA, [pure_blue], [])[0, 0, 0, 0] == pytest.approx(29, abs=1)


def test_resize_to_the_model_input() -> None:
    big = np.zeros((480, 640, 3), np.uint8)
    big[:, 320:] = 255
    got = build_input(CAMERA, [big], [])[0, :, :, 0]
    assert got.shape == (120, 160)
    assert got[:, :79].max() == 0 and got[:, 81:].min() == 255


def test_stereo_left_is_channel_0_right_is_channel_1() -> None:
    left, right = np.full((120, 160, 3), 10, np.uint8), np.full((120, 160, 3), 200, np.uint8)
    got = build_input(STEREO, [left, right], [])
    assert got.shape == (1, 120, 160, 2)
    assert np.all(got[..., 0] == 10) and np.all(got[..., 1] == 200)
    with pytest.raises(ValueError, match="needs 2 camera images"):
        build_input(STEREO, [left], [])


def test_lidar_is_passed_verbatim() -> None:
    values = array.array("f", np.linspace(0.15, 1.0, 64))
    got = build_inputs([STEREO, LIDAR], [_bgr(2), _bgr(3)], values)
    np.testing.assert_array_equal(got[LIDAR.name], np.asarray(values, np.float32).reshape(1, 64))
    with pytest.raises(ValueError, match="got 8 LiDAR values, the model takes 64"):
        build_input(LIDAR, [], [0.5] * 8)


def test_nchw_layout_for_onnx_models() -> None:
    spec = InputSpec("x/observation/observation", "observation", (1, 1, 120, 160), "NCHW")
    image = _bgr(4)
    np.testing.assert_array_equal(build_input(spec, [image], [])[0, 0], build_input(CAMERA, [image], [])[0, :, :, 0])


def test_pre_process_variants() -> None:
    image = _bgr(5)
    masked = camera_plane(image, 160, 120, GREY_MASK)
    assert masked[:40].max() == 0 and masked[40:].max() > 0
    binary = camera_plane(image, 160, 120, GREY_THRESHOLD)
    assert set(np.unique(binary)) <= {0.0, 255.0}
    rgb = camera_plane(image, 160, 120, RGB)
    np.testing.assert_array_equal(rgb[..., 0], image[..., 2])
    with pytest.raises(ValueError):
        camera_plane(image, 160, 120, 5)
    assert camera_plane(image, 160, 120, GREY).shape == (120, 160)
