"""The drive supervisor's rules (issue 11 §3), with a fake clock: who may keep the car moving."""

from __future__ import annotations

import pytest

from device_console.driving.supervisor import CALIBRATION, MANUAL, DriveSupervisor, check_legacy_hold

FORWARD = (0.0, 0.5)
MIDS = (1_450_000.0, 1_446_000.0)  # calibrated steering / throttle mid (ns)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Car:
    """What the supervisor published, per channel."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, float, float]] = []

    def __call__(self, channel: str, angle: float, throttle: float) -> None:
        self.sent.append((channel, angle, throttle))

    def last(self, channel: str = MANUAL) -> tuple[float, float]:
        return next((a, t) for c, a, t in reversed(self.sent) if c == channel)

    def count(self, command: tuple[float, float], channel: str = MANUAL) -> int:
        return sum(1 for c, a, t in self.sent if c == channel and (a, t) == command)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def car() -> Car:
    return Car()


@pytest.fixture
def drive(clock: Clock, car: Car) -> DriveSupervisor:
    return DriveSupervisor(car, clock=clock, strict_timeout_s=0.5, legacy_hold_s=15.0, republish_period_s=0.1,
                           stream_stall_s=2.0)


def run(drive: DriveSupervisor, clock: Clock, until: float, step: float = 0.05) -> list[tuple[float, str]]:
    """Tick like the console's watchdog thread up to `until` (relative); the stops it made."""
    stops = []
    end = clock.now + until
    while clock.now < end - 1e-9:
        clock.now = round(clock.now + step, 6)
        reason = drive.tick()
        if reason:
            stops.append((clock.now, reason))
    return stops


# -- strict driver (our UI) ------------------------------------------------------------------------
def test_strict_driver_has_the_half_second_dead_man(drive: DriveSupervisor, clock: Clock, car: Car) -> None:
    drive.heartbeat("ui")  # the heartbeat route (or the socket) makes the session strict
    assert drive.command("ui", MANUAL, *FORWARD)
    assert run(drive, clock, 0.4) == []
    assert drive.heartbeat("ui") is True  # still engaged
    assert run(drive, clock, 0.45) == []
    stops = run(drive, clock, 0.2)
    assert len(stops) == 1 and "heartbeat" in stops[0][1]
    assert stops[0][0] - 100.0 == pytest.approx(0.95)  # 0.5 s after the last heartbeat (0.4 s)
    assert car.sent[-1] == (MANUAL, 0.0, 0.0)
    assert run(drive, clock, 5.0) == []  # one stop, not a stream of them
    assert drive.heartbeat("ui") is False and drive.stops == 1


def test_a_stopped_car_needs_nobody(drive: DriveSupervisor, clock: Clock, car: Car) -> None:
    drive.heartbeat("ui")
    assert not drive.command("ui", MANUAL, 0.0, 0.0)
    assert run(drive, clock, 30.0) == []
    assert car.sent == [(MANUAL, 0.0, 0.0)]  # a neutral command is not repeated either
    drive.command("ui", MANUAL, 0.3, 0.0)  # steering only also counts as driving
    drive.stop("stop button")
    assert run(drive, clock, 30.0) == [] and drive.stops == 0


def test_a_held_command_is_republished_for_the_servo_watchdog(drive: DriveSupervisor, clock: Clock,
                                                              car: Car) -> None:
    drive.heartbeat("ui")
    drive.command("ui", MANUAL, *FORWARD)
    for _ in range(20):  # a steady stick: heartbeats only, no new command
        run(drive, clock, 0.2)
        drive.heartbeat("ui")
    # 4 s of driving: published at least every 0.15 s (the servo node cuts a command after 0.5 s)
    times = []
    clock.now = 100.0
    probe = DriveSupervisor(lambda c, a, t: times.append(clock.now), clock=clock, republish_period_s=0.1)
    probe.command("s", MANUAL, *FORWARD)
    run(probe, clock, 4.0)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) >= 30 and max(gaps) <= 0.15 + 1e-9
    assert car.count(FORWARD) >= 30 and car.last() == FORWARD


# -- legacy driver (sends only changes) -------------------------------------------------------------
def test_legacy_command_is_held_while_the_session_is_alive(drive: DriveSupervisor, clock: Clock, car: Car) -> None:
    drive.command("old-ui", MANUAL, *FORWARD)
    assert run(drive, clock, 10.0) == []  # 10 s of silence: still driving
    assert car.last() == FORWARD and car.count(FORWARD) > 90
    drive.touch("old-ui")  # any request of the session (battery poll, page...)
    assert run(drive, clock, 14.9) == []
    stops = run(drive, clock, 0.3)
    assert len(stops) == 1 and "no request" in stops[0][1] and "15 s" in stops[0][1]
    assert car.last() == (0.0, 0.0)


def test_legacy_hold_is_settable(drive: DriveSupervisor, clock: Clock) -> None:
    drive.legacy_hold_s = 2.0
    drive.command("script", MANUAL, *FORWARD)
    stops = run(drive, clock, 3.0)
    assert [round(t - 100.0, 2) for t, _ in stops] == [2.05]
    for bad in (0.4, 61, float("nan"), True, "10"):
        with pytest.raises(ValueError, match="0.5 to 60"):
            check_legacy_hold(bad)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            drive.legacy_hold_s = bad  # type: ignore[assignment]
    assert drive.legacy_hold_s == 2.0


def test_closing_the_sessions_video_stream_stops_a_legacy_driver(drive: DriveSupervisor, clock: Clock,
                                                                 car: Car) -> None:
    camera = drive.stream_opened("old-ui")
    overlay = drive.stream_opened("old-ui")
    drive.command("old-ui", MANUAL, *FORWARD)
    assert run(drive, clock, 1.0) == []
    assert drive.stream_closed(overlay) is False  # the camera stream is still open: the client is there
    assert drive.engaged
    assert drive.stream_closed(camera) is True  # the last one: tab closed
    assert car.last() == (0.0, 0.0) and not drive.engaged


def test_a_stream_opened_after_the_command_counts_too(drive: DriveSupervisor) -> None:
    drive.command("old-ui", MANUAL, *FORWARD)
    stream = drive.stream_opened("old-ui")
    assert drive.stream_closed(stream) is True


def test_frames_delivered_keep_a_legacy_session_alive(drive: DriveSupervisor, clock: Clock) -> None:
    stream = drive.stream_opened("old-ui")
    drive.command("old-ui", MANUAL, *FORWARD)
    for _ in range(40):  # 40 s of video and no other request
        drive.stream_sending(stream)
        clock.now += 0.01
        assert drive.stream_sent(stream)
        assert run(drive, clock, 1.0) == []
    assert drive.engaged


def test_a_stream_that_cannot_be_written_is_a_driver_gone(drive: DriveSupervisor, clock: Clock, car: Car) -> None:
    stream = drive.stream_opened("old-ui")
    drive.command("old-ui", MANUAL, *FORWARD)
    drive.stream_sending(stream)  # the client stopped reading (or its Wi-Fi is gone): the write hangs
    stops = run(drive, clock, 2.5)
    assert len(stops) == 1 and "stalled" in stops[0][1]
    assert stops[0][0] - 100.0 == pytest.approx(2.05)
    assert car.last() == (0.0, 0.0)
    assert drive.stream_sent(stream) is False  # the response ends when the write finally returns
    assert drive.stream_closed(stream) is False  # already accounted for


def test_another_sessions_stream_or_a_strict_drivers_stream_does_not_stop(drive: DriveSupervisor,
                                                                           clock: Clock) -> None:
    viewer = drive.stream_opened("phone")
    ui_stream = drive.stream_opened("ui")
    drive.heartbeat("ui")
    drive.command("ui", MANUAL, *FORWARD)
    assert drive.stream_closed(viewer) is False
    assert drive.stream_closed(ui_stream) is False  # the strict driver has its dead-man
    assert drive.engaged


def test_stop_estop_mode_change_and_logout(drive: DriveSupervisor, clock: Clock, car: Car) -> None:
    drive.command("old-ui", MANUAL, *FORWARD)
    assert drive.stop("emergency stop") is True
    assert car.last() == (0.0, 0.0) and not drive.engaged
    assert drive.stops == 0  # not the supervisor's own decision
    assert run(drive, clock, 1.0) == [] and car.last() == (0.0, 0.0)  # nothing re-published after a stop

    drive.command("old-ui", MANUAL, *FORWARD)
    assert drive.end_session("someone-else") is False and drive.engaged
    assert drive.end_session("old-ui") is True and car.last() == (0.0, 0.0)

    drive.command("a", MANUAL, *FORWARD)
    assert drive.end_other_sessions("b") is True and not drive.engaged


def test_the_last_commander_owns_the_car(drive: DriveSupervisor, clock: Clock, car: Car) -> None:
    old = drive.stream_opened("old-ui")
    drive.command("old-ui", MANUAL, *FORWARD)
    drive.command("script", MANUAL, 0.3, 0.5)
    assert drive.held is not None and drive.held.session == "script"
    assert drive.stream_closed(old) is False  # old-ui is not driving any more
    assert car.last() == (0.3, 0.5)


# -- WebSocket drive channel -------------------------------------------------------------------------
def test_closing_the_drive_socket_stops_at_once(drive: DriveSupervisor, clock: Clock, car: Car) -> None:
    socket = drive.socket_opened("ui")
    assert drive.is_strict("ui")
    drive.command("ui", MANUAL, *FORWARD, socket=socket)
    clock.now += 0.1
    assert drive.socket_closed(socket) is True
    assert car.last() == (0.0, 0.0)


def test_socket_close_of_a_tab_that_was_not_driving(drive: DriveSupervisor) -> None:
    first = drive.socket_opened("ui")
    second = drive.socket_opened("ui")
    drive.command("ui", MANUAL, *FORWARD, socket=second)
    assert drive.socket_closed(first) is False and drive.engaged
    # a command sent over HTTP by a strict session (e.g. a calibration preview) is held while one of
    # its sockets is open
    drive.command("ui", CALIBRATION, -1.0, 1_500_000.0, stop=MIDS)
    third = drive.socket_opened("ui")
    assert drive.socket_closed(second) is False
    assert drive.socket_closed(third) is True


# -- calibration previews ------------------------------------------------------------------------------
def test_calibration_preview_is_held_and_stops_at_the_calibrated_mids(drive: DriveSupervisor, clock: Clock,
                                                                      car: Car) -> None:
    assert drive.command("old-ui", CALIBRATION, -1.0, 1_500_000.0, stop=MIDS)  # throttle away from its mid
    # a steering preview at the mid does not release the throttle that is still spinning
    assert drive.command("old-ui", CALIBRATION, MIDS[0], -1.0, stop=MIDS)
    assert drive.held is not None and (drive.held.angle, drive.held.throttle) == (MIDS[0], 1_500_000.0)
    run(drive, clock, 10.0)
    assert car.count((MIDS[0], -1.0), CALIBRATION) == 1  # raw previews hold by themselves: no repeats
    stops = run(drive, clock, 5.2)
    assert len(stops) == 1
    assert car.last(CALIBRATION) == MIDS
    # back at the mids: nothing to hold
    assert not drive.command("old-ui", CALIBRATION, -1.0, MIDS[1], stop=MIDS)


def test_stop_neutralises_a_held_preview_and_the_manual_topic(drive: DriveSupervisor, car: Car) -> None:
    drive.command("ui", CALIBRATION, 1_700_000.0, -1.0, stop=MIDS)
    assert drive.stop("drive mode change") is True
    assert car.sent[-2:] == [(CALIBRATION, *MIDS), (MANUAL, 0.0, 0.0)]


def test_idle_sessions_are_forgotten(clock: Clock, car: Car) -> None:
    drive = DriveSupervisor(car, clock=clock, forget_idle_sessions_s=600.0)
    drive.heartbeat("gone")
    drive.heartbeat("driver")
    drive.command("driver", MANUAL, *FORWARD)
    clock.now += 3600
    drive.touch("driver")
    drive.tick()
    assert not drive.is_strict("gone") and drive.is_strict("driver")
