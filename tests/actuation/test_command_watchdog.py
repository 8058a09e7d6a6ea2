"""CommandWatchdog: expires once per silence, with an injected clock."""

from __future__ import annotations

import pytest

from drivers.actuation import CommandWatchdog


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_expires_once_after_the_timeout() -> None:
    clock = Clock()
    dog = CommandWatchdog(0.5, clock)
    assert not dog.check()               # nothing fed yet: nothing to stop
    dog.feed()
    clock.now += 0.4
    assert not dog.check() and dog.running
    clock.now += 0.2
    assert dog.check() and not dog.running
    clock.now += 5
    assert not dog.check()               # only once per silence
    dog.feed()
    clock.now += 0.51
    assert dog.check()


def test_trip_when_raw_pulses_take_over() -> None:
    clock = Clock()
    dog = CommandWatchdog(0.5, clock)
    dog.feed()
    assert dog.trip() and not dog.trip()
    clock.now += 1
    assert not dog.check()


def test_deadline_event_only_confirms_a_real_silence() -> None:
    clock = Clock()
    dog = CommandWatchdog(0.5, clock)
    assert not dog.trip_if_older(0.1)    # never fed
    dog.feed()
    clock.now += 0.05                    # commands still arriving (from a publisher without deadline)
    assert not dog.trip_if_older(0.1) and dog.running
    clock.now += 0.1
    assert dog.trip_if_older(0.1) and not dog.running
    assert not dog.trip_if_older(0.1)


@pytest.mark.parametrize("bad", [0, -1, float("nan")])
def test_timeout_must_be_positive(bad: float) -> None:
    with pytest.raises(ValueError, match="> 0"):
        CommandWatchdog(bad)
