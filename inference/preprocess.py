"""Sensor data -> model input arrays, as the original inference node prepares them.

Camera heads (observation, FRONT_FACING_CAMERA, LEFT_CAMERA): images[0] (the only or the left camera)
is resized to the model's width x height (INTER_LINEAR; a no-op for the camera node's 160x120) and
converted BGR -> grey; STEREO_CAMERAS: images[0] (left) and images[1] (right) the same way, as two
channels (0 = left, 1 = right). Values are raw 0-255 floats: the /255 rescale is inside the graph.
LiDAR heads take `lidar_data` verbatim (the sensor fusion node already did the processing).

The car's camera frames are JPEG (community dialect). `build_inputs_from_jpeg` decodes each one once,
straight to the model's colour (`perception.images.decode_jpeg`: libjpeg's luma plane for grey, no
colour conversion) and to its input size with the original's INTER_LINEAR, and hands the result to
the same `camera_plane` (which then has nothing left to resize or convert). `build_inputs` takes
decoded BGR frames and is the reference: the original's preprocessing (INTER_LINEAR resize,
BGR -> grey). The two differ by a rounding step of the luma, not bit for bit;
tests/inference/test_jpeg_model_parity.py bounds the difference on the action probabilities (1e-3).
libjpeg's scaled decoding (1/4 size straight out of the IDCT) is cheaper but a different filter that
moves a trained model's probabilities by up to 1e-2, so inference does not use it.

Pre-process types (LoadModelSrv.pre_process_type): 0 RGB, 1 grey (what the console always asks for),
2 grey + mask (top 40 rows zeroed), 3 grey + Otsu threshold, 4 grey + threshold + mask.
5 (grey-diff) never produced anything in the original and is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from inference.engine import InputSpec
from perception.images import Colour, ImageData, decode_compressed

RGB, GREY, GREY_MASK, GREY_THRESHOLD, GREY_THRESHOLD_MASK, GREY_DIFF = range(6)
SUPPORTED_PRE_PROCESS = (RGB, GREY, GREY_MASK, GREY_THRESHOLD, GREY_THRESHOLD_MASK)
MASK_ROWS = 40


def camera_plane(image: np.ndarray, width: int, height: int, pre_process_type: int = GREY) -> np.ndarray:
    """One camera frame -> float32 (H, W) grey plane, or (H, W, 3) RGB for pre-process type 0."""
    if pre_process_type not in SUPPORTED_PRE_PROCESS:
        raise ValueError(f"pre_process_type {pre_process_type} is not supported")
    if image.shape[0] != height or image.shape[1] != width:
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)
    if pre_process_type == RGB:
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        return np.ascontiguousarray(image[:, :, ::-1], dtype=np.float32)
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if pre_process_type in (GREY_THRESHOLD, GREY_THRESHOLD_MASK):
        _, grey = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    grey = grey.astype(np.float32)
    if pre_process_type in (GREY_MASK, GREY_THRESHOLD_MASK):
        grey[:MASK_ROWS, :] = 0.0
    return grey


def _arrange(planes: list[np.ndarray], spec: InputSpec) -> np.ndarray:
    """Stack (H, W) planes (or one (H, W, 3) RGB image) into the input's layout with batch 1."""
    if len(planes) == 1 and planes[0].ndim == 3:
        hwc = planes[0]
    else:
        hwc = np.stack(planes, axis=-1)
    if hwc.shape[2] != spec.channels:
        if hwc.shape[2] == 1:
            hwc = np.repeat(hwc, spec.channels, axis=2)
        else:
            raise ValueError(f"{spec.sensor}: {hwc.shape[2]} channels prepared, the model takes {spec.channels}")
    if spec.layout == "NCHW":
        return np.ascontiguousarray(hwc.transpose(2, 0, 1)[None])
    return np.ascontiguousarray(hwc[None])


def build_input(spec: InputSpec, images: Sequence[np.ndarray], lidar: Sequence[float] | np.ndarray,
                pre_process_type: int = GREY) -> np.ndarray:
    if spec.is_lidar:
        values = np.asarray(lidar, dtype=np.float32).reshape(-1)
        if values.size != spec.channels:
            raise ValueError(f"{spec.sensor}: got {values.size} LiDAR values, the model takes {spec.channels}")
        return values.reshape(spec.shape)
    if spec.sensor == "STEREO_CAMERAS":
        if len(images) < 2:
            raise ValueError(f"the stereo model needs 2 camera images, got {len(images)}")
        planes = [camera_plane(images[i], spec.width, spec.height, GREY if pre_process_type == RGB
                               else pre_process_type) for i in (0, 1)]
        return _arrange(planes, spec)
    if not images:
        raise ValueError("no camera image")
    return _arrange([camera_plane(images[0], spec.width, spec.height, pre_process_type)], spec)


def build_inputs(specs: Sequence[InputSpec], images: Sequence[np.ndarray], lidar: Sequence[float] | np.ndarray,
                 pre_process_type: int = GREY) -> dict[str, np.ndarray]:
    """Every model input from one sensor message (camera images + LiDAR vector)."""
    return {spec.name: build_input(spec, images, lidar, pre_process_type) for spec in specs}


def camera_colour(spec: InputSpec, pre_process_type: int = GREY) -> Colour:
    """The colour a camera input is decoded to: BGR for pre-process 0 (RGB, mono heads), else grey."""
    return "bgr" if pre_process_type == RGB and spec.sensor != "STEREO_CAMERAS" else "grey"


def build_inputs_from_jpeg(specs: Sequence[InputSpec], frames: Sequence[tuple[ImageData, str]],
                           lidar: Sequence[float] | np.ndarray, pre_process_type: int = GREY) -> dict[str, np.ndarray]:
    """Every model input from one sensor message whose camera frames are compressed ((data, format),
    left first): each frame is decoded once per camera input, straight to its size and colour."""
    inputs: dict[str, np.ndarray] = {}
    for spec in specs:
        if spec.is_lidar:
            inputs[spec.name] = build_input(spec, [], lidar, pre_process_type)
            continue
        wanted = 2 if spec.sensor == "STEREO_CAMERAS" else 1
        colour = camera_colour(spec, pre_process_type)
        images = [decode_compressed(data, image_format, colour, spec.width, spec.height)
                  for data, image_format in frames[:wanted]]
        inputs[spec.name] = build_input(spec, images, lidar, pre_process_type)
    return inputs
