"""The manual-drive watchdog: `DriveSupervisor.tick()` every `period` s in its own thread, so a car
whose driver went away stops even while the event loop is busy."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("device_console")


class WatchdogThread:
    """Runs `check` every `period` s in a daemon thread until `stop()`."""

    def __init__(self, check: Callable[[], object], period: float) -> None:
        self._check = check
        self._period = period
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="manual-drive-watchdog", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            try:
                self._check()
            except Exception:  # keep watching whatever happens
                log.exception("manual drive watchdog")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)
