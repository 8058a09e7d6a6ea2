"""The physical track templates of the Developer Guide ("Build your physical track"), as geometry.

Dimensions come from the guide: border tape about 2 in wide (1.88 in duct/masking tape), white or
off-white on a dark floor; track width 24 in (tape centre to tape centre); turns of at most 90 degrees
have an outside radius of 30 in (the recommended value; minimum 25 in), sharper turns 35 in; the
single-turn track is a 60 in straight, a 60-degree turn and a 30 in straight; the loop is that
90-degree single turn repeated; the dashed centre line is 4 in tape pieces placed 2 in apart; barriers
(2.5 ft tall) stand 2 ft away from the track at all points. The pre-printed A to Z Speedway (re:Invent
2018) is 17.6 m long and 76 cm wide, printed in black (PMS 432C) on green (PMS 3395C) with white
borders (CMYK 0-0-2-9) and an orange (PMS 137C) dashed centre line.

World frame: metres, x to the right, y up (seen from above), origin at the lower-left corner of the
barrier rectangle, so every coordinate of the track area is in [0, width_m] x [0, height_m]. The
centreline runs in the driving direction (counter-clockwise on the loop); "inner" is the left border.
Progress `s` is the distance along the centreline from the start line.

No ROS, no OpenCV here: pure numpy geometry (the floor texture lives in camera_render).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

INCH = 0.0254
FOOT = 12 * INCH

TAPE_WIDTH_M = 1.88 * INCH  # "1.88 inch width, pearl white duct tape"
TRACK_WIDTH_M = 24 * INCH  # w_track >= 24 in (tape centre to tape centre)
TURN_OUTER_RADIUS_M = 30 * INCH  # recommended outside radius for turns <= 90 degrees (minimum 25 in)
SHARP_TURN_OUTER_RADIUS_M = 35 * INCH  # recommended for turns > 90 degrees (minimum 30 in)
MIN_OUTER_RADIUS_M = 25 * INCH
DASH_LENGTH_M = 4 * INCH  # "tape segments of 4 inches long ... placed 2 inches apart"
DASH_GAP_M = 2 * INCH
BARRIER_MARGIN_M = 2 * FOOT  # "at least 2.5 feet tall and 2 feet away from the track at all points"
BARRIER_HEIGHT_M = 2.5 * FOOT

SPEEDWAY_LENGTH_M = 17.6  # A to Z Speedway (re:Invent 2018): "Length: 17.6 m (57.97') Width: 76 cm (30")"
SPEEDWAY_WIDTH_M = 0.76

SAMPLE_STEP_M = 0.01  # centreline sampling


def _bgr(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    return (rgb[2], rgb[1], rgb[0])


@dataclass(frozen=True)
class Palette:
    """Colours (BGR, 0..255) of the surfaces the camera sees."""

    track: tuple[int, int, int]  # drivable surface
    off_track: tuple[int, int, int]  # floor outside the borders
    border: tuple[int, int, int]  # border tape / printed border line
    centre: tuple[int, int, int]  # dashed centre line
    barrier: tuple[int, int, int]  # uniform-coloured barriers around the track


# Tape on a dark floor (hardwood/carpet/asphalt felt): the same dark surface on and off the track.
TAPED_PALETTE = Palette(
    track=_bgr((40, 40, 44)),
    off_track=_bgr((40, 40, 44)),
    border=_bgr((236, 236, 228)),  # pearl white tape
    centre=_bgr((236, 236, 228)),  # the centre dashes are cut from the same tape
    barrier=_bgr((58, 78, 110)),
)
# Pre-printed tracks: black PMS 432C, green PMS 3395C, white CMYK 0-0-2-9, orange PMS 137C.
PRINTED_PALETTE = Palette(
    track=_bgr((51, 63, 72)),
    off_track=_bgr((0, 195, 137)),
    border=_bgr((232, 232, 227)),
    centre=_bgr((255, 163, 0)),
    barrier=_bgr((58, 78, 110)),
)


@dataclass(frozen=True)
class Box:
    """A box obstacle standing on the floor: centre (x, y), yaw (rad), size in metres, BGR colour."""

    x: float
    y: float
    yaw: float = 0.0
    length: float = 0.25
    width: float = 0.20
    height: float = 0.20
    colour: tuple[int, int, int] = _bgr((150, 105, 60))  # cardboard brown (the guide: no white objects)

    def corners(self) -> np.ndarray:
        """The 4 footprint corners (4, 2), counter-clockwise."""
        c, s = math.cos(self.yaw), math.sin(self.yaw)
        hl, hw = self.length / 2, self.width / 2
        local = np.array([[hl, hw], [-hl, hw], [-hl, -hw], [hl, -hw]])
        rot = np.array([[c, -s], [s, c]])
        return local @ rot.T + np.array([self.x, self.y])

    def edges(self) -> list[tuple[np.ndarray, np.ndarray]]:
        pts = self.corners()
        return [(pts[i], pts[(i + 1) % 4]) for i in range(4)]

    def to_dict(self) -> dict[str, Any]:
        return {"x": self.x, "y": self.y, "yaw": self.yaw, "length": self.length, "width": self.width,
                "height": self.height}


@dataclass
class Projection:
    """Where points are relative to the centreline."""

    s: np.ndarray  # progress of the nearest centreline point (m)
    lateral: np.ndarray  # signed distance, > 0 = left of the driving direction (m)
    beyond_end: np.ndarray  # bool: past either end of an open track


@dataclass(frozen=True)
class Track:
    """A track: dense centreline, width, tape, colours, barriers and optional boxes."""

    name: str
    title: str
    centerline: np.ndarray  # (N, 2) metres, sampled every ~1 cm, in the driving direction
    closed: bool
    width: float = TRACK_WIDTH_M  # tape centre to tape centre
    tape_width: float = TAPE_WIDTH_M
    palette: Palette = TAPED_PALETTE
    size: tuple[float, float] = (0.0, 0.0)  # barrier rectangle (width_m, height_m)
    barrier_height: float = BARRIER_HEIGHT_M
    obstacles: tuple[Box, ...] = ()
    _cum: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False, compare=False)

    def __post_init__(self) -> None:
        pts = np.asarray(self.centerline, dtype=np.float64)
        object.__setattr__(self, "centerline", pts)
        seg = np.diff(self._loop_points(pts), axis=0)
        cum = np.concatenate([[0.0], np.cumsum(np.hypot(seg[:, 0], seg[:, 1]))])
        object.__setattr__(self, "_cum", cum)

    # ---- geometry -------------------------------------------------------------------------------
    def _loop_points(self, pts: np.ndarray | None = None) -> np.ndarray:
        pts = self.centerline if pts is None else pts
        return np.vstack([pts, pts[:1]]) if self.closed else pts

    @property
    def length(self) -> float:
        """Centreline length (a closed track includes the closing segment)."""
        return float(self._cum[-1])

    @property
    def half_extent(self) -> float:
        """Distance from the centreline to the outer edge of the border tape."""
        return self.width / 2 + self.tape_width / 2

    def tangents(self) -> np.ndarray:
        """Unit direction of travel at each centreline sample (N, 2)."""
        pts = self.centerline
        if self.closed:
            d = np.roll(pts, -1, axis=0) - np.roll(pts, 1, axis=0)
        else:
            d = np.gradient(pts, axis=0)
        return d / np.linalg.norm(d, axis=1, keepdims=True)

    def normals(self) -> np.ndarray:
        """Unit left normals (N, 2)."""
        t = self.tangents()
        return np.stack([-t[:, 1], t[:, 0]], axis=1)

    def offset_line(self, lateral: float) -> np.ndarray:
        """The polyline at a signed lateral offset from the centreline (> 0 = left)."""
        return self.centerline + lateral * self.normals()

    def inner(self) -> np.ndarray:
        """Left border line (tape centre): the inside of a counter-clockwise loop."""
        return self.offset_line(self.width / 2)

    def outer(self) -> np.ndarray:
        return self.offset_line(-self.width / 2)

    def pose_at(self, s: float, lateral: float = 0.0) -> tuple[float, float, float]:
        """(x, y, yaw) on the centreline at progress s (wrapped on closed tracks), shifted sideways."""
        s = float(s) % self.length if self.closed else min(max(float(s), 0.0), self.length)
        loop = self._loop_points()
        i = int(np.searchsorted(self._cum, s, side="right") - 1)
        i = min(max(i, 0), len(loop) - 2)
        a, b = loop[i], loop[i + 1]
        seg = self._cum[i + 1] - self._cum[i]
        t = 0.0 if seg <= 0 else (s - self._cum[i]) / seg
        p = a + t * (b - a)
        yaw = math.atan2(b[1] - a[1], b[0] - a[0])
        p = p + lateral * np.array([-math.sin(yaw), math.cos(yaw)])
        return float(p[0]), float(p[1]), yaw

    def project(self, points: np.ndarray | Sequence[Sequence[float]], hint_s: float | None = None,
                window: float = 1.0) -> Projection:
        """Nearest centreline point of each point (M, 2). With `hint_s` only segments within
        `window` metres of that progress are searched (robust where the track passes near itself)."""
        pts = np.atleast_2d(np.asarray(points, dtype=np.float64))
        loop = self._loop_points()
        a_all, b_all = loop[:-1], loop[1:]
        n = len(a_all)
        idx = np.arange(n)
        if hint_s is not None and window < self.length / 2:
            lo_s, hi_s = float(hint_s) - window, float(hint_s) + window
            if self.closed:
                lo_s, hi_s = lo_s % self.length, hi_s % self.length
            else:
                lo_s, hi_s = max(lo_s, 0.0), min(hi_s, self.length)
            i0 = min(max(int(np.searchsorted(self._cum, lo_s, side="right")) - 1, 0), n - 1)
            i1 = min(max(int(np.searchsorted(self._cum, hi_s, side="right")) - 1, 0), n - 1)
            idx = np.arange(i0, i1 + 1) if i1 >= i0 else np.concatenate([np.arange(i0, n), np.arange(0, i1 + 1)])
        a, b = a_all[idx], b_all[idx]
        ab = b - a
        ab2 = np.maximum((ab**2).sum(axis=1), 1e-12)
        ap = pts[:, None, :] - a[None, :, :]
        t_raw = (ap * ab[None]).sum(axis=2) / ab2[None]
        t = np.clip(t_raw, 0.0, 1.0)
        closest = a[None] + t[..., None] * ab[None]
        d2 = ((pts[:, None, :] - closest) ** 2).sum(axis=2)
        k = np.argmin(d2, axis=1)
        rows = np.arange(len(pts))
        seg_idx = idx[k]
        tk = t[rows, k]
        s = self._cum[seg_idx] + tk * np.sqrt(ab2[k])
        abk = ab[k]
        apk = ap[rows, k]
        cross = abk[:, 0] * apk[:, 1] - abk[:, 1] * apk[:, 0]
        lateral = np.sign(cross) * np.sqrt(d2[rows, k])
        beyond = np.zeros(len(pts), dtype=bool)
        if not self.closed:
            tr = t_raw[rows, k]
            beyond = ((seg_idx == 0) & (tr < 0)) | ((seg_idx == len(a_all) - 1) & (tr > 1))
        return Projection(s=s, lateral=lateral, beyond_end=beyond)

    def on_track(self, points: np.ndarray | Sequence[Sequence[float]], hint_s: float | None = None) -> np.ndarray:
        """True where a point is on the track surface or on the border tape."""
        proj = self.project(points, hint_s)
        return (np.abs(proj.lateral) <= self.half_extent) & ~proj.beyond_end

    def progress_delta(self, s_from: float, s_to: float) -> float:
        """Signed progress from s_from to s_to (the short way round on a closed track)."""
        d = float(s_to) - float(s_from)
        if self.closed:
            d = (d + self.length / 2) % self.length - self.length / 2
        return d

    def barrier_segments(self) -> list[tuple[np.ndarray, np.ndarray]]:
        w, h = self.size
        c = [np.array(p, dtype=float) for p in ((0, 0), (w, 0), (w, h), (0, h))]
        return [(c[i], c[(i + 1) % 4]) for i in range(4)]

    def min_centre_radius(self) -> float:
        """Smallest radius of curvature of the centreline (m)."""
        pts = self.centerline
        step = 5
        if self.closed:
            p0, p1, p2 = np.roll(pts, step, axis=0), pts, np.roll(pts, -step, axis=0)
        else:
            p0, p1, p2 = pts[:-2 * step], pts[step:-step], pts[2 * step:]
        a = np.linalg.norm(p1 - p0, axis=1)
        b = np.linalg.norm(p2 - p1, axis=1)
        c = np.linalg.norm(p2 - p0, axis=1)
        cross = np.abs((p1 - p0)[:, 0] * (p2 - p0)[:, 1] - (p1 - p0)[:, 1] * (p2 - p0)[:, 0])
        with np.errstate(divide="ignore"):
            radius = np.where(cross > 1e-12, a * b * c / (2 * np.maximum(cross, 1e-12)), np.inf)
        return float(np.min(radius))

    def with_obstacles(self, count: int, seed: int = 0) -> Track:
        """A copy with `count` boxes spread along the lap, alternating inside/outside lane."""
        if count < 0:
            raise ValueError("the number of obstacles must be >= 0")
        rng = np.random.default_rng(seed)
        boxes = []
        usable = self.length if self.closed else self.length - 1.0
        for i in range(count):
            s = 1.2 + (i + 0.5) * (usable - 1.2) / max(count, 1) + float(rng.uniform(-0.1, 0.1))
            lane = self.width / 4 if i % 2 == 0 else -self.width / 4
            x, y, yaw = self.pose_at(s, lane)
            boxes.append(Box(x=x, y=y, yaw=yaw))
        return replace(self, obstacles=tuple(boxes))

    def to_json(self, step: float = 0.05) -> dict[str, Any]:
        """The `<sim_dir>/track.json` document (polylines decimated to about `step` metres)."""
        k = max(1, int(round(step / SAMPLE_STEP_M)))

        def poly(arr: np.ndarray) -> list[list[float]]:
            sel = arr[::k]
            if not self.closed and (len(arr) - 1) % k:
                sel = np.vstack([sel, arr[-1:]])
            return [[round(float(x), 4), round(float(y), 4)] for x, y in sel]

        return {
            "name": self.name,
            "width_m": round(self.size[0], 4),
            "height_m": round(self.size[1], 4),
            "centerline": poly(self.centerline),
            "inner": poly(self.inner()),
            "outer": poly(self.outer()),
            # extras beyond the contract's keys, for viewers that want them
            "title": self.title,
            "closed": self.closed,
            "track_width_m": self.width,
            "length_m": round(self.length, 4),
            "obstacles": [b.to_dict() for b in self.obstacles],
        }


# ---- building centrelines ------------------------------------------------------------------------
class _Pen:
    """Draws a centreline from straights and arcs (turtle style)."""

    def __init__(self) -> None:
        self.x = 0.0
        self.y = 0.0
        self.heading = 0.0
        self.points: list[tuple[float, float]] = [(0.0, 0.0)]

    def straight(self, length: float) -> _Pen:
        n = max(1, int(math.ceil(length / SAMPLE_STEP_M)))
        for i in range(1, n + 1):
            d = length * i / n
            self.points.append((self.x + d * math.cos(self.heading), self.y + d * math.sin(self.heading)))
        self.x, self.y = self.points[-1]
        return self

    def arc(self, radius: float, angle_deg: float) -> _Pen:
        """Turn by `angle_deg` (> 0 = left) on a circle of centreline radius `radius`."""
        angle = math.radians(angle_deg)
        side = 1.0 if angle > 0 else -1.0
        cx = self.x - side * radius * math.sin(self.heading)
        cy = self.y + side * radius * math.cos(self.heading)
        start = math.atan2(self.y - cy, self.x - cx)
        n = max(2, int(math.ceil(abs(angle) * radius / SAMPLE_STEP_M)))
        for i in range(1, n + 1):
            a = start + angle * i / n
            self.points.append((cx + radius * math.cos(a), cy + radius * math.sin(a)))
        self.x, self.y = self.points[-1]
        self.heading += angle
        return self

    def array(self, closed: bool) -> np.ndarray:
        pts = np.array(self.points)
        if closed and np.hypot(*(pts[-1] - pts[0])) < SAMPLE_STEP_M / 2:
            pts = pts[:-1]
        return pts


def _centre_radius(outer_radius: float, width: float) -> float:
    """The guide measures the turning radius from the circle centre to the outside border."""
    return outer_radius - width / 2


def _place(name: str, title: str, centre: np.ndarray, closed: bool, width: float,
           palette: Palette) -> Track:
    """Shift the centreline so the barrier rectangle (2 ft around the track) starts at (0, 0)."""
    probe = Track(name=name, title=title, centerline=centre, closed=closed, width=width)
    edges = np.vstack([probe.offset_line(probe.half_extent), probe.offset_line(-probe.half_extent)])
    lo = edges.min(axis=0) - BARRIER_MARGIN_M
    hi = edges.max(axis=0) + BARRIER_MARGIN_M
    shifted = centre - lo
    size = (float(hi[0] - lo[0]), float(hi[1] - lo[1]))
    return Track(name=name, title=title, centerline=shifted, closed=closed, width=width, palette=palette,
                 size=size)


def single_turn() -> Track:
    """60 in straight, 60-degree left turn (30 in outside radius), 30 in straight."""
    r = _centre_radius(TURN_OUTER_RADIUS_M, TRACK_WIDTH_M)
    pen = _Pen().straight(60 * INCH).arc(r, 60).straight(30 * INCH)
    return _place("single_turn", "Single-turn track", pen.array(False), False, TRACK_WIDTH_M, TAPED_PALETTE)


def s_curve() -> Track:
    """The single turn, then a turn the opposite way: 60 in, left 60, 30 in, right 60, 60 in."""
    r = _centre_radius(TURN_OUTER_RADIUS_M, TRACK_WIDTH_M)
    pen = _Pen().straight(60 * INCH).arc(r, 60).straight(30 * INCH).arc(r, -60).straight(60 * INCH)
    return _place("s_curve", "S-curve track", pen.array(False), False, TRACK_WIDTH_M, TAPED_PALETTE)


def loop() -> Track:
    """The 90-degree single turn repeated into a counter-clockwise loop: 60 in and 30 in straights,
    four 90-degree left turns with a 30 in outside radius. Start line mid-way along a long straight."""
    r = _centre_radius(TURN_OUTER_RADIUS_M, TRACK_WIDTH_M)
    pen = _Pen().straight(30 * INCH)
    for straight in (30 * INCH, 60 * INCH, 30 * INCH):
        pen.arc(r, 90).straight(straight)
    pen.arc(r, 90).straight(30 * INCH)
    return _place("loop", "Loop track", pen.array(True), True, TRACK_WIDTH_M, TAPED_PALETTE)


# A to Z Speedway: our own smooth closed outline in the spirit of the re:Invent 2018 layout (a long
# start straight, a sweeping turn, a kinked back section and a tight return), scaled to the guide's
# 17.6 m length. Control points are relative; the curve is a periodic Catmull-Rom spline.
_SPEEDWAY_CONTROL = [
    (0.0, 0.0), (1.6, 0.0), (3.2, 0.0), (4.5, 0.15), (5.3, 0.8), (5.5, 1.8), (5.0, 2.6),
    (4.1, 2.8), (3.3, 2.35), (2.5, 2.2), (1.6, 2.75), (0.6, 2.9), (-0.4, 2.5), (-0.8, 1.5),
    (-0.6, 0.5),
]


def _catmull_rom_closed(ctrl: np.ndarray, per_segment: int = 400) -> np.ndarray:
    n = len(ctrl)
    out = []
    for i in range(n):
        p0, p1, p2, p3 = ctrl[(i - 1) % n], ctrl[i], ctrl[(i + 1) % n], ctrl[(i + 2) % n]
        t = np.linspace(0, 1, per_segment, endpoint=False)[:, None]
        out.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                          + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3))
    return np.vstack(out)


def _resample(points: np.ndarray, step: float, closed: bool) -> np.ndarray:
    loop_pts = np.vstack([points, points[:1]]) if closed else points
    seg = np.hypot(*np.diff(loop_pts, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    total = cum[-1]
    n = int(round(total / step))
    s = np.linspace(0, total, n, endpoint=not closed)
    return np.stack([np.interp(s, cum, loop_pts[:, 0]), np.interp(s, cum, loop_pts[:, 1])], axis=1)


def speedway() -> Track:
    """The A to Z Speedway (Basic): 17.6 m, 76 cm wide, printed colours, counter-clockwise."""
    ctrl = np.array(_SPEEDWAY_CONTROL, dtype=np.float64)
    dense = _catmull_rom_closed(ctrl)
    loop_pts = np.vstack([dense, dense[:1]])
    raw_len = float(np.hypot(*np.diff(loop_pts, axis=0).T).sum())
    dense = dense * (SPEEDWAY_LENGTH_M / raw_len)
    centre = _resample(dense, SAMPLE_STEP_M, closed=True)
    return _place("speedway", "A to Z Speedway (Basic)", centre, True, SPEEDWAY_WIDTH_M, PRINTED_PALETTE)


TRACKS = {"loop": loop, "single_turn": single_turn, "s_curve": s_curve, "speedway": speedway}


def make_track(name: str, obstacles: int = 0, seed: int = 0) -> Track:
    """One of TRACKS by name, optionally with box obstacles."""
    try:
        builder = TRACKS[name]
    except KeyError:
        raise ValueError(f"unknown track {name!r}; choose one of {', '.join(TRACKS)}") from None
    track = builder()
    return track.with_obstacles(obstacles, seed) if obstacles else track
