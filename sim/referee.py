"""Race bookkeeping of the simulated car: progress along the lap, laps and lap times, off-track events.

The rules follow the DeepRacer races: the car is off the track when all four wheels are outside the
borders (the tape itself counts as track); hitting an obstacle counts as leaving the track too. After
`reset_after` seconds off the track the car is put back on the centreline where it left it (as the
virtual circuit resets it), and the lap carries on. A lap is a full circuit of forward progress on a
closed track, or reaching the far end of an open one (after which the car goes back to the start).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from sim.physics import Vehicle
from sim.track import Track

MOVING_SPEED = 0.05  # m/s: the lap timer starts when the car first moves
END_TOLERANCE = 0.03  # m before the end of an open track counts as reaching it


@dataclass
class RaceEvent:
    kind: str  # "lap", "off_track", "back_on_track", "crash", "reset"
    time: float
    detail: dict[str, float] = field(default_factory=dict)


@dataclass
class Referee:
    track: Track
    reset_after: float = 2.0  # s off the track before the car is put back; <= 0: never
    trail_length: int = 200
    trail_interval: float = 0.1
    laps: int = 0
    off_track: int = 0
    last_lap_s: float | None = None
    best_lap_s: float | None = None
    on_track: bool = True
    s: float = 0.0
    lap_progress: float = 0.0
    lap_start: float | None = None
    off_since: float | None = None
    crashed: bool = False
    trail: deque[tuple[float, float]] = field(default_factory=deque)
    _last_trail_t: float = -math.inf
    _crash_at: tuple[float, float] = (0.0, 0.0)

    def start(self, vehicle: Vehicle, s: float = 0.0) -> None:
        """Place the car on the start line facing the driving direction."""
        x, y, yaw = self.track.pose_at(s)
        vehicle.place(x, y, yaw)
        self.s = float(s)
        self.lap_progress = 0.0
        self.on_track = True
        self.off_since = None
        self.crashed = False

    def lap_time(self, now: float) -> float:
        return 0.0 if self.lap_start is None else max(0.0, now - self.lap_start)

    def update(self, now: float, vehicle: Vehicle, collided: bool = False) -> list[RaceEvent]:
        """Account for the car's new pose; returns what happened."""
        events: list[RaceEvent] = []
        track = self.track
        if self.lap_start is None and abs(vehicle.state.speed) > MOVING_SPEED:
            self.lap_start = now
        cx, cy = vehicle.centre()
        wheels = vehicle.wheel_points()
        proj = track.project(np.vstack([[cx, cy], wheels]), hint_s=self.s, window=0.6)
        new_s = float(proj.s[0])
        delta = track.progress_delta(self.s, new_s)
        self.s = new_s
        self.lap_progress += delta
        wheels_on = (np.abs(proj.lateral[1:]) <= track.half_extent) & ~proj.beyond_end[1:]
        if collided and not self.crashed:
            self.crashed = True
            self._crash_at = (cx, cy)
            events.append(RaceEvent("crash", now, {"s": self.s}))
        elif self.crashed and not collided and math.dist(self._crash_at, (cx, cy)) > 0.1:
            self.crashed = False  # backed away from the obstacle
        on = bool(wheels_on.any()) and not self.crashed
        if self.on_track and not on:
            self.off_track += 1
            self.off_since = now
            events.append(RaceEvent("off_track", now, {"s": self.s, "lateral": float(proj.lateral[0])}))
        elif on and not self.on_track:
            self.off_since = None
            events.append(RaceEvent("back_on_track", now, {"s": self.s}))
        self.on_track = on
        if on:
            if track.closed and self.lap_progress >= track.length:
                events.append(self._lap(now))
                self.lap_progress -= track.length
            elif not track.closed and self.s >= track.length - END_TOLERANCE:
                events.append(self._lap(now))
                self.start(vehicle, 0.0)
                events.append(RaceEvent("reset", now, {"s": 0.0}))
        elif self.reset_after > 0 and self.off_since is not None and now - self.off_since >= self.reset_after:
            back = self.s - 0.4 if self.crashed else self.s  # behind the obstacle it hit
            if not track.closed:
                back = max(0.0, back)
            x, y, yaw = track.pose_at(back)
            vehicle.place(x, y, yaw)
            self.lap_progress += track.progress_delta(self.s, back)
            self.s = back % track.length if track.closed else back
            self.on_track = True
            self.off_since = None
            self.crashed = False
            events.append(RaceEvent("reset", now, {"s": self.s}))
        if now - self._last_trail_t >= self.trail_interval:
            self._last_trail_t = now
            self.trail.append((round(vehicle.state.x, 3), round(vehicle.state.y, 3)))
            while len(self.trail) > self.trail_length:
                self.trail.popleft()
        return events

    def _lap(self, now: float) -> RaceEvent:
        self.laps += 1
        lap_s = self.lap_time(now)
        self.last_lap_s = lap_s
        self.best_lap_s = lap_s if self.best_lap_s is None else min(self.best_lap_s, lap_s)
        self.lap_start = now
        return RaceEvent("lap", now, {"lap_s": lap_s, "laps": float(self.laps)})
