"""The LiDAR overlay image: sector geometry, colours and blending as the original (160x120)."""

from __future__ import annotations

import numpy as np

from perception.lidar_overlay import LidarOverlay, sector_geometry
from perception.lidar_processing import overlay_sector_bits, process_overlay
from perception.sensor_config import OverlayConfig
from tests.perception.scans import RPLIDAR_ANGLE_MIN, RPLIDAR_INCREMENT, ranges_by_degree


def test_sector_points_for_160x120() -> None:
    # p0 = (80 - tan30*60, 0) = (45.36 -> 45, 0); p2 = (0, tan22.5*80 = 33.1 -> 33);
    # p3 = (0, 60 + tan15*80 = 81.4 -> 81); p5 = (80 - tan37.5*60 = 33.96 -> 33, 120)
    centre, polygons, ends = sector_geometry(160, 120)
    assert centre == (80, 60)
    assert ends == [(45, 0), (0, 33), (0, 81), (33, 120), (80, 120), (126, 120), (160, 81), (160, 33), (114, 0)]
    assert polygons[0].tolist() == [[80, 60], [45, 0], [0, 0], [0, 33]]
    assert polygons[3].tolist() == [[80, 60], [33, 120], [80, 120]]
    assert polygons[7].tolist() == [[80, 60], [114, 0], [160, 0], [160, 33]]


def test_blend_values() -> None:
    overlay = LidarOverlay()
    black = np.zeros((120, 160, 3), np.uint8)
    empty = overlay.render(black, 0)
    assert empty.shape == (120, 160, 3)
    # background 192 * (1 - 0.8f) = 38.4 -> 38; the white separator through the centre -> 51
    assert empty[110, 70].tolist() == [38, 38, 38]
    assert empty[60, 80].tolist() == [51, 51, 51]
    # sector 3 (bottom, left of centre) occupied: fill (80,154,250) * 0.2 -> (16, 31, 50)
    occupied = overlay.render(black, 1 << 3)
    assert occupied[110, 70].tolist() == [16, 31, 50]
    assert occupied[110, 90].tolist() == [38, 38, 38]  # sector 4 stays grey
    white = overlay.render(np.full((120, 160, 3), 255, np.uint8), 0)
    assert white[110, 70].tolist() == [242, 242, 242]  # 255 * 0.8 + 192 * 0.2 = 242.4


def test_display_image_is_resized_first_and_overlays_are_cached() -> None:
    overlay = LidarOverlay()
    big = np.zeros((480, 640, 3), np.uint8)
    assert overlay.render(big, 0b1000_0001).shape == (120, 160, 3)
    assert overlay.overlay_image(0b1000_0001) is overlay.overlay_image(0b1000_0001)


def test_overlay_bits_from_a_scan() -> None:
    cfg = OverlayConfig()
    # an object 0.3 m away around -140 degrees (sector 0: -150 .. -116.7) and one 0.45 m at +130 (sector 7)
    ranges = ranges_by_degree({range(-142, -137): 0.3, range(128, 133): 0.45, range(-10, 11): 0.6})
    data = process_overlay(cfg, RPLIDAR_ANGLE_MIN, RPLIDAR_INCREMENT, ranges)
    assert len(data) == 64
    # 0.6 m is clamped to the overlay's 0.5 m maximum: not an obstacle
    assert overlay_sector_bits(cfg, data) == 0b1000_0001
    assert overlay_sector_bits(cfg, np.zeros(0, np.float32)) == 0  # no scan yet
    # anything but 8-value blocks: no sectors, as the original
    assert overlay_sector_bits(OverlayConfig(num_values=48), data[:48]) == 0
