"""Stamps on the wall clock, checked without timing the machine."""

from __future__ import annotations

import time

# A capture stamp is on the wall clock (time.time_ns) when it is within this of now: generous, so a
# loaded machine never fails it, and still far from 0 or a monotonic/boot clock (hours since boot,
# against 56 years since 1970).
WALL_CLOCK_SLACK_NS = 60 * 1_000_000_000


def on_wall_clock(stamp_ns: int) -> bool:
    """True when `stamp_ns` is a time.time_ns()-style stamp taken in the last minute (or the next)."""
    return abs(time.time_ns() - int(stamp_ns)) < WALL_CLOCK_SLACK_NS
