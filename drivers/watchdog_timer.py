"""The command watchdog on a thread of its own: nothing else the process runs can delay the stop.

`WatchdogTimer` wraps a `drivers.actuation.CommandWatchdog`: `feed()` on every command; when no
command came for the watchdog's timeout, `on_expire()` runs on the timer's thread (e.g. PWM neutral).
The thread sleeps until the deadline of the last command (or, stopped, until the next command), so it
costs nothing while idle and never polls; a node's executor busy with other callbacks cannot hold it
back (a long pure-Python callback yields the interpreter lock to it within the switch interval).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from drivers.actuation import CommandWatchdog


class WatchdogTimer:
    def __init__(self, watchdog: CommandWatchdog, on_expire: Callable[[], None],
                 name: str = "command-watchdog") -> None:
        self.watchdog = watchdog
        self.on_expire = on_expire
        self.expiries = 0
        self.worst_lateness_s = 0.0   # how long after its deadline a stop ran, at worst
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def timeout(self) -> float:
        return self.watchdog.timeout

    def feed(self) -> None:
        with self._cond:
            was_running = self.watchdog.running
            self.watchdog.feed()
            if not was_running:
                self._cond.notify()   # asleep without a deadline: there is one now

    def trip(self) -> bool:
        """Stop watching now (e.g. raw calibration pulses own the outputs); True if it was running."""
        with self._cond:
            return self.watchdog.trip()

    def trip_if_older(self, seconds: float) -> bool:
        with self._cond:
            return self.watchdog.trip_if_older(seconds)

    @property
    def running(self) -> bool:
        return self.watchdog.running

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout=2.0)

    def _wait_for_expiry(self) -> bool:
        """Sleep until the last command is too old (True) or the timer closes (False)."""
        with self._cond:
            while not self._closed:
                age = self.watchdog.age()
                if not self.watchdog.running or age is None:
                    self._cond.wait()
                    continue
                remaining = self.watchdog.timeout - age
                if remaining > 0:
                    self._cond.wait(remaining + 1e-3)   # a hair past the deadline: check() then trips
                    continue
                if self.watchdog.check():
                    self.worst_lateness_s = max(self.worst_lateness_s, -remaining)
                    return True
            return False

    def _run(self) -> None:
        while self._wait_for_expiry():
            self.expiries += 1
            try:
                self.on_expire()
            except Exception as exc:  # the next command arms it again; never let the thread die
                print(f"[watchdog] stopping failed: {exc!r}", flush=True)
