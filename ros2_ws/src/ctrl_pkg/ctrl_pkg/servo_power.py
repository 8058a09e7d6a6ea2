"""Servo power requests of ctrl_node, in order, never overtaken (no ROS; the node sends the calls).

Stopping turns the servo/ESC power off and starting turns it on, through /servo_pkg/servo_gpio. A
request is not fire-and-forget: one call is in flight at a time, a failed call (no servo node yet,
no answer) is sent again after `retry_s`, and whatever happens the power ends in the *last* wanted
state, so a late "on" can never overtake a later "off". Nothing waits: the next call is sent from
the done callback of the previous one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runtime.steps import Pending, ServiceError

Log = Callable[[str, str], None]   # (level "info"|"warn"|"error", message)


class ServoPower:
    def __init__(self, send: Callable[[bool], Pending[int]], later: Callable[[float, Callable[[], None]], Any],
                 log: Log, retry_s: float = 0.5) -> None:
        """`send(enabled)`: the servo_gpio call, its error code; `later(seconds, fn)`: run fn later."""
        self._send = send
        self._later = later
        self._log = log
        self.retry_s = retry_s
        self._wanted: bool | None = None
        self._applied: bool | None = None
        self._busy = False          # a call in flight, or a retry waiting
        self._failing = False       # the last call failed (logged once per run of failures)
        self._closed = False

    @property
    def applied(self) -> bool | None:
        """The state the servo node confirmed last (None before the first answer)."""
        return self._applied

    def request(self, enabled: bool) -> None:
        self._wanted = enabled
        self._next()

    def close(self) -> None:
        self._closed = True

    def _next(self) -> None:
        if self._closed or self._busy or self._wanted is None or self._wanted == self._applied:
            return
        wanted = self._wanted
        self._busy = True
        self._send(wanted).add_done_callback(lambda done: self._answered(wanted, done))

    def _answered(self, wanted: bool, done: Pending[int]) -> None:
        try:
            error = done.result()
        except ServiceError as exc:
            if not self._failing:
                self._log("warn", f"servo power {'on' if wanted else 'off'}: {exc}; retrying")
            self._failing = True
            self._later(self.retry_s, self._retry)
            return
        self._failing = False
        if error != 0:
            self._log("error", f"servo_gpio({'enable' if wanted else 'disable'}) returned error {error}")
        self._applied = wanted
        self._busy = False
        self._next()

    def _retry(self) -> None:
        self._busy = False
        self._next()
