"""ROS helpers of the USB tests: a stand-in status_led node that records the effects it is asked for."""

from __future__ import annotations

import threading
from typing import Any

from tests.support.ros import RosTestNode


class LedRecorder:
    """Serves /status_led_pkg/led_blink and led_solid on a test node and records every request."""

    def __init__(self, ros: RosTestNode) -> None:
        from deepracer_interfaces_pkg.srv import SetStatusLedBlinkSrv, SetStatusLedSolidSrv

        self.effects: list[tuple[Any, ...]] = []
        self._lock = threading.Lock()
        ros.node.create_service(SetStatusLedBlinkSrv, "/status_led_pkg/led_blink", self._blink)
        ros.node.create_service(SetStatusLedSolidSrv, "/status_led_pkg/led_solid", self._solid)

    def _blink(self, request: Any, response: Any) -> Any:
        with self._lock:
            self.effects.append(("blink", request.led_index, request.color1, request.color2,
                                 round(request.delay, 3)))
        response.error = 0
        return response

    def _solid(self, request: Any, response: Any) -> Any:
        with self._lock:
            self.effects.append(("solid", request.led_index, request.color, round(request.hold, 3)))
        response.error = 0
        return response

    def snapshot(self) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self.effects)

    def clear(self) -> None:
        with self._lock:
            self.effects.clear()
