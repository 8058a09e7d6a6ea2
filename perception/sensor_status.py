"""Sensor data status of sensor_fusion_node (`/sensor_fusion_pkg/sensor_data_status`).

Fields are 0 = connected, 1 = not connected (`vehicle.status.SensorStatus`), as the original:
- lidar_status = 1 when no scan arrived for more than 1 s;
- single_camera_status = 1 unless the last CameraMsg had exactly 1 image;
- stereo_camera_status = 1 unless it had exactly 2;
- both camera statuses = 1 when no CameraMsg arrived for more than 1 s.

"More than 1 s" is counted in whole seconds, as the original's duration_cast<seconds>(...) > 1
(so a sensor is reported missing once 2 s have passed without data); before any data arrives
everything is not connected.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from vehicle.status import SENSOR_CONNECTED, SENSOR_NOT_CONNECTED, SensorStatus


def _stale(now: float, last: float | None) -> bool:
    return last is None or int(now - last) > 1


class SensorStatusTracker:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._last_lidar: float | None = None
        self._last_camera: float | None = None
        self._camera_images = 0

    def lidar_seen(self) -> None:
        with self._lock:
            self._last_lidar = self._clock()

    def camera_seen(self, image_count: int) -> None:
        with self._lock:
            self._last_camera = self._clock()
            self._camera_images = int(image_count)

    def status(self) -> SensorStatus:
        with self._lock:
            now = self._clock()
            lidar = SENSOR_NOT_CONNECTED if _stale(now, self._last_lidar) else SENSOR_CONNECTED
            single = SENSOR_CONNECTED if self._camera_images == 1 else SENSOR_NOT_CONNECTED
            stereo = SENSOR_CONNECTED if self._camera_images == 2 else SENSOR_NOT_CONNECTED
            if _stale(now, self._last_camera):
                single = stereo = SENSOR_NOT_CONNECTED
            return SensorStatus(lidar, single, stereo)
