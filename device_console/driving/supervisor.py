"""Who may keep the car moving: the console's drive supervisor (pure logic: no ROS, no I/O, injectable clock).

One command at a time is *held* for the car: the last non-neutral manual drive command or
calibration preview, owned by the login session (`deepracer_token`) that sent it. The supervisor
re-publishes a held manual command every `republish_period_s` (the servo node's own watchdog cuts a
command that is not repeated within 0.5 s) and stops the car (publishes the command's neutral) when
its driver is gone:

- **strict driver** (our own UI: the session used the heartbeat route or the drive WebSocket):
  a 0.5 s dead-man (`strict_timeout_s`) fed by commands and heartbeats; the WebSocket that sent the
  command closing stops the car at once.
- **legacy driver** (a client written for the original car, which sends a command only when the
  stick moves): the command is held while the client is alive. It is gone when
  (a) an MJPEG stream its session had open closes or stalls (no other stream of the session left),
  (b) its session made no request for `legacy_hold_s` (default 15 s, settable 0.5..60 s),
  (c) Stop, emergency stop, a mode change, or the session logs out.

Every request of a session is a sign of life (`touch`), and so is every video frame its stream
delivers. Thread-safe: routes call it from the event loop, `tick()` runs in the console's watchdog
thread. Publishing happens under the lock, so a re-publish can never overtake a stop.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from device_console.core.config import DEFAULT_LEGACY_HOLD_S, check_legacy_hold

log = logging.getLogger("device_console.drive")

MANUAL = "manual"  # /webserver_pkg/manual_drive: normalised angle / throttle
CALIBRATION = "calibration"  # /webserver_pkg/calibration_drive: raw pulse ns, negative = axis untouched
CHANNELS = (MANUAL, CALIBRATION)

Publish = Callable[[str, float, float], None]


@dataclass
class _Session:
    key: str
    last_request: float
    last_beat: float = float("-inf")
    strict: bool = False
    streams: set[int] = field(default_factory=set)
    sockets: set[int] = field(default_factory=set)


@dataclass
class _Stream:
    session: str
    sending_since: float | None = None


@dataclass(frozen=True)
class HeldCommand:
    """The command the car is kept doing, and what to publish to stop it."""

    session: str
    channel: str
    angle: float
    throttle: float
    stop: tuple[float, float]
    socket: int | None
    since: float


class DriveSupervisor:
    def __init__(self, publish: Publish, *, clock: Callable[[], float] = time.monotonic,
                 strict_timeout_s: float = 0.5, legacy_hold_s: float = DEFAULT_LEGACY_HOLD_S,
                 republish_period_s: float = 0.1, stream_stall_s: float = 2.0,
                 forget_idle_sessions_s: float = 3600.0) -> None:
        self._publish = publish
        self._clock = clock
        self.strict_timeout_s = strict_timeout_s
        self._legacy_hold_s = check_legacy_hold(legacy_hold_s)
        self.republish_period_s = republish_period_s
        self.stream_stall_s = stream_stall_s
        self.forget_idle_sessions_s = forget_idle_sessions_s
        self._lock = threading.RLock()
        self._sessions: dict[str, _Session] = {}
        self._streams: dict[int, _Stream] = {}
        self._socket_owner: dict[int, str] = {}
        self._ids = itertools.count(1)
        self._held: HeldCommand | None = None
        self._last_publish = float("-inf")
        self._last_prune = clock()
        self.stops = 0  # stops made by the supervisor itself (driver gone), for tests and logs
        self.last_stop_reason = ""

    # -- settings ------------------------------------------------------------------------------
    @property
    def legacy_hold_s(self) -> float:
        return self._legacy_hold_s

    @legacy_hold_s.setter
    def legacy_hold_s(self, value: float) -> None:
        self._legacy_hold_s = check_legacy_hold(value)

    # -- observers -----------------------------------------------------------------------------
    @property
    def held(self) -> HeldCommand | None:
        with self._lock:
            return self._held

    @property
    def engaged(self) -> bool:
        return self.held is not None

    def engaged_by(self, session: str) -> bool:
        with self._lock:
            return self._held is not None and self._held.session == session

    def is_strict(self, session: str) -> bool:
        with self._lock:
            s = self._sessions.get(session)
            return s is not None and s.strict

    def open_streams(self, session: str) -> int:
        with self._lock:
            s = self._sessions.get(session)
            return len(s.streams) if s is not None else 0

    def stream_alive(self, stream: int) -> bool:
        with self._lock:
            return stream in self._streams

    # -- signs of life ---------------------------------------------------------------------------
    def _session(self, key: str, now: float) -> _Session:
        s = self._sessions.get(key)
        if s is None:
            s = self._sessions[key] = _Session(key=key, last_request=now)
        return s

    def touch(self, session: str) -> None:
        """Any request of `session` (only sessions the supervisor already knows are tracked)."""
        with self._lock:
            s = self._sessions.get(session)
            if s is not None:
                s.last_request = self._clock()

    def heartbeat(self, session: str) -> bool:
        """The strict driver is still there (heartbeat route, or any message on its socket).

        Makes the session strict. True if the session holds the car's command."""
        with self._lock:
            now = self._clock()
            s = self._session(session, now)
            s.strict = True
            s.last_request = s.last_beat = now
            return self._held is not None and self._held.session == session

    # -- commands --------------------------------------------------------------------------------
    def command(self, session: str, channel: str, angle: float, throttle: float,
                stop: tuple[float, float] = (0.0, 0.0), socket: int | None = None) -> bool:
        """Publish a command of `session` now and hold it unless it is neutral; True if held.

        `stop` is the neutral of the channel (manual: 0, 0; calibration: the calibrated mids in
        ns). On the calibration channel a negative axis leaves that axis as it was, so the held
        state merges the axes of successive previews.
        """
        if channel not in CHANNELS:
            raise ValueError(f"unknown drive channel {channel!r}")
        with self._lock:
            now = self._clock()
            s = self._session(session, now)
            s.last_request = s.last_beat = now
            self._publish_locked(channel, angle, throttle, now)
            held_angle, held_throttle = angle, throttle
            if channel == CALIBRATION:
                previous = self._held if self._held is not None and self._held.channel == CALIBRATION else None
                if held_angle < 0:
                    held_angle = previous.angle if previous is not None else -1.0
                if held_throttle < 0:
                    held_throttle = previous.throttle if previous is not None else -1.0
                moving = any(v >= 0 and v != mid for v, mid in ((held_angle, stop[0]), (held_throttle, stop[1])))
            else:
                moving = angle != 0.0 or throttle != 0.0
            self._held = HeldCommand(session, channel, held_angle, held_throttle, stop, socket, now) if moving \
                else None
            return moving

    def _publish_locked(self, channel: str, angle: float, throttle: float, now: float) -> None:
        self._publish(channel, angle, throttle)
        self._last_publish = now

    def _stop_locked(self, reason: str, by_supervisor: bool) -> bool:
        held = self._held
        self._held = None
        if held is None:
            return False
        self._publish_locked(held.channel, held.stop[0], held.stop[1], self._clock())
        if by_supervisor:
            self.stops += 1
            self.last_stop_reason = reason
            log.warning("car stopped: %s", reason)
        return True

    def stop(self, reason: str, *, manual_neutral: bool = True) -> bool:
        """Stop / e-stop / mode change: publish the held command's neutral (and, by default, a
        manual neutral, as the stop button always did). True if a command was held."""
        with self._lock:
            held = self._held
            self._stop_locked(reason, by_supervisor=False)
            if manual_neutral and (held is None or held.channel != MANUAL):
                self._publish_locked(MANUAL, 0.0, 0.0, self._clock())
            return held is not None

    def end_session(self, session: str) -> bool:
        """Logout: forget the session; stop the car if it held the command."""
        with self._lock:
            stopped = False
            if self._held is not None and self._held.session == session:
                stopped = self._stop_locked("the driver's session logged out", by_supervisor=True)
            s = self._sessions.pop(session, None)
            if s is not None:
                for sid in s.streams:
                    self._streams.pop(sid, None)
                for wid in s.sockets:
                    self._socket_owner.pop(wid, None)
            return stopped

    def end_other_sessions(self, keep: str) -> bool:
        """Every session but `keep` was logged out (password change)."""
        with self._lock:
            stopped = False
            for key in [k for k in self._sessions if k != keep]:
                stopped = self.end_session(key) or stopped
            if self._held is not None and self._held.session != keep:
                stopped = self._stop_locked("the driver's session logged out", by_supervisor=True) or stopped
            return stopped

    # -- WebSocket drive channel ------------------------------------------------------------------
    def socket_opened(self, session: str) -> int:
        with self._lock:
            now = self._clock()
            s = self._session(session, now)
            s.strict = True
            s.last_request = s.last_beat = now
            wid = next(self._ids)
            s.sockets.add(wid)
            self._socket_owner[wid] = session
            return wid

    def socket_closed(self, socket: int) -> bool:
        """The drive socket closed: stop at once if it (or, for a command sent over HTTP, the last
        socket of its session) drove the car. True if the car was stopped."""
        with self._lock:
            session = self._socket_owner.pop(socket, None)
            s = self._sessions.get(session) if session is not None else None
            if s is not None:
                s.sockets.discard(socket)
            held = self._held
            if held is None or s is None or held.session != s.key:
                return False
            if held.socket == socket or (held.socket is None and not s.sockets):
                return self._stop_locked("the driver's WebSocket closed", by_supervisor=True)
            return False

    # -- MJPEG streams --------------------------------------------------------------------------
    def stream_opened(self, session: str) -> int:
        with self._lock:
            now = self._clock()
            s = self._session(session, now)
            s.last_request = now
            sid = next(self._ids)
            s.streams.add(sid)
            self._streams[sid] = _Stream(session=session)
            return sid

    def stream_sending(self, stream: int) -> None:
        """A frame is being written to the stream (a write that does not finish is a stall)."""
        with self._lock:
            st = self._streams.get(stream)
            if st is not None:
                st.sending_since = self._clock()

    def stream_sent(self, stream: int) -> bool:
        """The frame was written: the client reads, its session is alive. False if the stream was
        already given up (stalled): the response should end."""
        with self._lock:
            st = self._streams.get(stream)
            if st is None:
                return False
            st.sending_since = None
            s = self._sessions.get(st.session)
            if s is not None:
                s.last_request = self._clock()
            return True

    def stream_closed(self, stream: int) -> bool:
        """The stream ended (client closed it, connection lost). True if that stopped the car."""
        with self._lock:
            return self._stream_gone(stream, "the driver's video stream closed")

    def _stream_gone(self, stream: int, reason: str) -> bool:
        st = self._streams.pop(stream, None)
        if st is None:
            return False
        s = self._sessions.get(st.session)
        if s is None:
            return False
        s.streams.discard(stream)
        held = self._held
        if held is None or held.session != s.key or s.strict or s.streams:
            return False
        return self._stop_locked(reason, by_supervisor=True)

    # -- the periodic check -------------------------------------------------------------------------
    def _expired(self, held: HeldCommand, now: float) -> str | None:
        s = self._sessions.get(held.session)
        if s is None:
            return "the driver's session ended"
        if s.strict:
            if now - s.last_beat > self.strict_timeout_s:
                return f"no command or heartbeat from the driver for {self.strict_timeout_s:g} s"
            return None
        if now - s.last_request > self._legacy_hold_s:
            return f"no request from the driver's session for {self._legacy_hold_s:g} s"
        return None

    def tick(self) -> str | None:
        """Run every few tens of ms: stalled streams, expired drivers, re-publishing.
        Returns the reason when it stopped the car."""
        with self._lock:
            now = self._clock()
            stopped: str | None = None
            for sid, st in list(self._streams.items()):
                if st.sending_since is not None and now - st.sending_since > self.stream_stall_s:
                    stall = f"the driver's video stream stalled (no frame delivered for {self.stream_stall_s:g} s)"
                    if self._stream_gone(sid, stall):
                        stopped = stall
            held = self._held
            if held is not None:
                expired = self._expired(held, now)
                if expired is not None:
                    self._stop_locked(expired, by_supervisor=True)
                    stopped = expired
                elif held.channel == MANUAL and now - self._last_publish >= self.republish_period_s - 1e-3:
                    self._publish_locked(held.channel, held.angle, held.throttle, now)
            if now - self._last_prune > 60.0:
                self._prune(now)
            return stopped

    def _prune(self, now: float) -> None:
        self._last_prune = now
        owner = self._held.session if self._held is not None else None
        for key, s in list(self._sessions.items()):
            if key != owner and not s.streams and not s.sockets \
                    and now - s.last_request > self.forget_idle_sessions_s:
                del self._sessions[key]
