"""The LiDAR overlay image of the original sensor_fusion_node (`/sensor_fusion_pkg/overlay_msg`).

The display image is resized to 160x120 (bilinear) and blended with an overlay: a grey background
(BGR 192,192,192) with 8 sectors (-150..150 degrees, 0 at the back of the car at the bottom centre),
occupied sectors filled orange (BGR 80,154,250), white separator lines from the centre;
result = image * alpha + overlay * (1 - alpha) with alpha = 0.8 (float32, as the original).
Overlays are cached per 8-bit sector pattern.

Sector polygons (image 160x120; x = int(...) truncation as cv::Point from doubles):

        p0 ------- p12            0: centre, p0, top-left, p2      4: centre, p7, bottom-centre
    p2 | 0 \\     / 7 | p10        1: centre, p2, p3                5: centre, p9, bottom-right, p7
    p3 |_1__\\ /__6__| p9         2: centre, p3, bottom-left, p5   6: centre, p10, p9
       | 2  / | \\  5 |            3: centre, p5, bottom-centre     7: centre, p12, top-right, p10
       |_/_3__|__4_\\_|
         p5        p7
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from perception.sensor_config import OverlayConfig

LINE_COLOR = (255, 255, 255)
FILL_COLOR = (80, 154, 250)
BACKGROUND_COLOR = (192, 192, 192)
OVERLAY_WIDTH = 160
OVERLAY_HEIGHT = 120


def _deg2rad(x: float) -> float:
    return x * math.pi / 180.0


def sector_geometry(width: int = OVERLAY_WIDTH, height: int = OVERLAY_HEIGHT
                    ) -> tuple[tuple[int, int], list[np.ndarray], list[tuple[int, int]]]:
    """(centre, 8 sector polygons, 9 separator end points) for a width x height image."""
    hw, hh = width // 2, height // 2
    centre = (hw, hh)
    bottom_centre = (hw, height)
    top_left, top_right = (0, 0), (width, 0)
    bottom_left, bottom_right = (0, height), (width, height)
    p0 = (int(hw - math.tan(_deg2rad(30)) * hh), 0)
    p2 = (0, int(math.tan(_deg2rad(22.5)) * hw))
    p3 = (0, int(hh + math.tan(_deg2rad(15)) * hw))
    p5 = (int(hw - math.tan(_deg2rad(37.5)) * hh), height)
    p7 = (int(hw + math.tan(_deg2rad(37.5)) * hh), height)
    p9 = (width, int(hh + math.tan(_deg2rad(15)) * hw))
    p10 = (width, int(math.tan(_deg2rad(22.5)) * hw))
    p12 = (int(hw + math.tan(_deg2rad(30)) * hh), 0)
    sectors = [
        [centre, p0, top_left, p2],
        [centre, p2, p3],
        [centre, p3, bottom_left, p5],
        [centre, p5, bottom_centre],
        [centre, p7, bottom_centre],
        [centre, p9, bottom_right, p7],
        [centre, p10, p9],
        [centre, p12, top_right, p10],
    ]
    polygons = [np.array(points, dtype=np.int32) for points in sectors]
    ends = [p0, p2, p3, p5, bottom_centre, p7, p9, p10, p12]
    return centre, polygons, ends


class LidarOverlay:
    def __init__(self, config: OverlayConfig | None = None, width: int = OVERLAY_WIDTH,
                 height: int = OVERLAY_HEIGHT) -> None:
        cfg = (config or OverlayConfig()).rounded()
        self.width, self.height = width, height
        self.alpha = float(np.float32(cfg.lidar_overlay_alpha))
        self.line_width = int(cfg.lidar_overlay_line_width)
        self.num_sectors = cfg.lidar_overlay_num_sectors
        self._centre, self._polygons, self._ends = sector_geometry(width, height)
        self._cache: dict[int, np.ndarray] = {}

    def overlay_image(self, bits: int) -> np.ndarray:
        """The cached background+sectors+lines image for a sector bit pattern."""
        bits &= 0xFF
        cached = self._cache.get(bits)
        if cached is None:
            cached = np.empty((self.height, self.width, 3), dtype=np.uint8)
            cached[:] = BACKGROUND_COLOR
            for index, polygon in enumerate(self._polygons):
                if bits >> index & 1 and index < self.num_sectors:
                    cv2.fillPoly(cached, [polygon], FILL_COLOR)
            for end in self._ends:
                cv2.line(cached, self._centre, end, LINE_COLOR, self.line_width)
            self._cache[bits] = cached
        return cached

    def render(self, image_bgr: np.ndarray, bits: int) -> np.ndarray:
        """Resize the display image to the overlay size and blend the sector overlay over it."""
        if image_bgr.shape[:2] != (self.height, self.width):
            image_bgr = cv2.resize(image_bgr, (self.width, self.height), interpolation=cv2.INTER_LINEAR)
        return cv2.addWeighted(image_bgr, self.alpha, self.overlay_image(bits), 1.0 - self.alpha, 0.0)
