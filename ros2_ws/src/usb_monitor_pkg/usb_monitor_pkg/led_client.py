"""LED effects through the status_led node's services, one after the other.

Calls are made from a worker thread and each waits for its answer (bounded), so a `solid red,
hold 2 s` is always followed — never overtaken — by the effect after it, even though blink and
solid use two different service clients.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

from deepracer_interfaces_pkg.srv import SetStatusLedBlinkSrv, SetStatusLedSolidSrv
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.node import Node

LED_BLINK_SERVICE = "/status_led_pkg/led_blink"
LED_SOLID_SERVICE = "/status_led_pkg/led_solid"


class RosLedClient:
    """`LedControl` over /status_led_pkg/led_blink and /status_led_pkg/led_solid."""

    def __init__(self, node: Node, timeout: float = 2.0) -> None:
        self.node = node
        self.timeout = timeout
        group = ReentrantCallbackGroup()
        self._blink: Any = node.create_client(SetStatusLedBlinkSrv, LED_BLINK_SERVICE, callback_group=group)
        self._solid: Any = node.create_client(SetStatusLedSolidSrv, LED_SOLID_SERVICE, callback_group=group)
        self._queue: queue.Queue[tuple[Any, Any] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="status-led-calls", daemon=True)
        self._thread.start()

    def available(self) -> bool:
        return self._blink.service_is_ready() and self._solid.service_is_ready()

    def blink(self, led_index: int, color1: str, color2: str, delay: float) -> None:
        request = SetStatusLedBlinkSrv.Request()
        request.led_index, request.color1, request.color2, request.delay = int(led_index), color1, color2, float(delay)
        self._queue.put((self._blink, request))

    def solid(self, led_index: int, color: str, hold: float) -> None:
        request = SetStatusLedSolidSrv.Request()
        request.led_index, request.color, request.hold = int(led_index), color, float(hold)
        self._queue.put((self._solid, request))

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            client, request = item
            try:
                if not client.wait_for_service(timeout_sec=self.timeout):
                    self.node.get_logger().warning(f"{client.srv_name} is not available; LED effect skipped",
                                                   throttle_duration_sec=30.0)
                    continue
                done = threading.Event()
                future = client.call_async(request)
                future.add_done_callback(lambda _f, ev=done: ev.set())
                if not done.wait(self.timeout):
                    self.node.get_logger().warning(f"{client.srv_name} did not answer within {self.timeout} s")
            except Exception as exc:  # shutting down, context gone
                self.node.get_logger().debug(f"LED call failed: {exc!r}")

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=self.timeout + 1.0)
