"""Latest-frame-wins hand-over between a subscription callback and an inference worker.

The callback `put()`s every sensor message; the worker `take()`s only the newest one. A frame that
arrives while the worker is busy replaces the one waiting, so inference never works through a
queue of stale frames and the servo command always comes from the freshest image.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class LatestSlot(Generic[T]):
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self._has_item = False
        self._closed = False
        self.received = 0
        self.dropped = 0       # frames replaced before the worker took them

    def put(self, item: T) -> None:
        with self._cond:
            if self._has_item:
                self.dropped += 1
            self._item = item
            self._has_item = True
            self.received += 1
            self._cond.notify()

    def take(self, timeout: float | None = None) -> T | None:
        """The newest item (removing it), or None after `timeout` s or when closed."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._has_item or self._closed, timeout):
                return None
            if not self._has_item:
                return None
            item, self._item, self._has_item = self._item, None, False
            return item

    def clear(self) -> None:
        with self._cond:
            self._item, self._has_item = None, False

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
