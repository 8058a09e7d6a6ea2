"""The track templates have the Developer Guide's dimensions, colours and lap geometry."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.camera_render import FloorTexture
from sim.track import TRACKS, make_track

INCH = 0.0254


def _heading_change(track) -> float:
    t = track.tangents()
    yaw = np.unwrap(np.arctan2(t[:, 1], t[:, 0]))
    return math.degrees(yaw[-1] - yaw[0])


def test_taped_tracks_are_24_inches_wide_with_2_inch_tape():
    for name in ("loop", "single_turn", "s_curve"):
        track = make_track(name)
        assert track.width == pytest.approx(24 * INCH)
        assert track.tape_width == pytest.approx(1.88 * INCH)
        gap = np.linalg.norm(track.inner() - track.outer(), axis=1)
        assert np.allclose(gap, 24 * INCH, atol=1e-6)


def test_loop_is_the_90_degree_single_turn_repeated():
    track = make_track("loop")
    assert track.closed
    centre_radius = (30 - 12) * INCH  # 30 in outside radius measured from the circle centre
    assert track.min_centre_radius() == pytest.approx(centre_radius, rel=0.01)
    expected = 2 * (60 + 30) * INCH + 2 * math.pi * centre_radius
    assert track.length == pytest.approx(expected, abs=0.01)
    # the enclosure is the loop plus 2 ft of run-off on every side
    assert track.size[0] == pytest.approx((60 + 2 * 30 + 1.88 + 2 * 24) * INCH, abs=0.005)
    assert track.size[1] == pytest.approx((30 + 2 * 30 + 1.88 + 2 * 24) * INCH, abs=0.005)


def test_single_turn_and_s_curve_geometry():
    single = make_track("single_turn")
    r = 18 * INCH
    assert not single.closed
    assert single.length == pytest.approx((60 + 30) * INCH + math.pi / 3 * r, abs=0.01)
    assert _heading_change(single) == pytest.approx(60, abs=0.5)
    s_curve = make_track("s_curve")
    assert s_curve.length == pytest.approx((60 + 30 + 60) * INCH + 2 * math.pi / 3 * r, abs=0.01)
    assert _heading_change(s_curve) == pytest.approx(0, abs=0.5)
    assert s_curve.min_centre_radius() >= r * 0.99


def test_speedway_length_width_and_turn_radius():
    track = make_track("speedway")
    assert track.closed
    assert track.length == pytest.approx(17.6, abs=0.01)
    assert track.width == pytest.approx(0.76)
    # the guide's minimum: 25 in to the outside border for turns up to 90 degrees
    assert track.min_centre_radius() + track.width / 2 >= 25 * INCH
    # the track never comes close to itself: points far apart along the lap are > one width apart
    pts = track.centerline[::10]
    s = np.arange(len(pts)) * 0.1
    d = np.linalg.norm(pts[:, None] - pts[None], axis=2)
    ds = np.abs(s[:, None] - s[None])
    ds = np.minimum(ds, track.length - ds)
    assert d[ds > 2.0].min() > track.width + track.tape_width + 0.2


def test_barriers_stand_2_feet_from_the_track_everywhere():
    for name in TRACKS:
        track = make_track(name)
        edges = np.vstack([track.offset_line(track.half_extent), track.offset_line(-track.half_extent)])
        w, h = track.size
        clearance = min(edges[:, 0].min(), edges[:, 1].min(), w - edges[:, 0].max(), h - edges[:, 1].max())
        assert clearance == pytest.approx(24 * INCH, abs=1e-6), name


def test_floor_texture_has_dark_floor_white_tape_and_4_on_2_off_centre_dashes():
    track = make_track("loop")
    tex = FloorTexture(track, resolution=0.004)
    img = tex.pyramid[0].astype(int)
    m = tex.texture_from_world()

    def pixel(x: float, y: float) -> np.ndarray:
        u, v, _ = m @ np.array([x, y, 1.0])
        return img[int(round(v)), int(round(u))]

    # on the bottom straight (driving +x): centre of the lane is dark, the borders are white tape
    x0, y0, yaw = track.pose_at(-0.5)
    assert abs(yaw) < 1e-6
    assert pixel(x0, y0 + track.width / 4).max() < 60
    for side in (1, -1):
        assert pixel(x0, y0 + side * track.width / 2).min() > 200
        assert pixel(x0, y0 + side * (track.width / 2 + track.tape_width)).max() < 60
    # along the centre line: white for 4 in, dark for 2 in, repeating
    xs = np.arange(x0 - 0.6, x0 + 0.6, 0.002)
    white = np.array([pixel(x, y0).min() > 128 for x in xs])
    edges = np.flatnonzero(np.diff(white.astype(int)))
    runs = np.diff(edges) * 0.002
    on = runs[::2] if white[edges[0] + 1] else runs[1::2]
    off = runs[1::2] if white[edges[0] + 1] else runs[::2]
    assert np.median(on) == pytest.approx(4 * INCH, abs=0.006)
    assert np.median(off) == pytest.approx(2 * INCH, abs=0.006)


def test_speedway_is_printed_in_the_guide_colours():
    track = make_track("speedway")
    pal = track.palette
    assert pal.off_track == (137, 195, 0)  # green PMS 3395C (BGR)
    assert pal.centre == (0, 163, 255)  # orange PMS 137C
    assert pal.track == (72, 63, 51)  # black PMS 432C
    assert min(pal.border) > 220  # white


def test_on_track_test_and_progress():
    track = make_track("loop")
    x, y, yaw = track.pose_at(0.3)
    n = np.array([-math.sin(yaw), math.cos(yaw)])
    p = np.array([x, y])
    inside = [p, p + n * (track.width / 2 + track.tape_width / 2 - 0.005)]
    outside = [p + n * (track.half_extent + 0.01), p - n * (track.half_extent + 0.01)]
    assert track.on_track(inside).all()
    assert not track.on_track(outside).any()
    proj = track.project([p])
    assert proj.s[0] == pytest.approx(0.3, abs=0.005)
    assert proj.lateral[0] == pytest.approx(0.0, abs=1e-6)
    # progress wraps on the closed loop
    assert track.progress_delta(track.length - 0.1, 0.1) == pytest.approx(0.2)
    # the far end of an open track is not track
    single = make_track("single_turn")
    ex, ey, eyaw = single.pose_at(single.length)
    beyond = [[ex + 0.1 * math.cos(eyaw), ey + 0.1 * math.sin(eyaw)]]
    assert not single.on_track(beyond).any()


def test_track_json_document_and_obstacles():
    track = make_track("loop", obstacles=2)
    doc = track.to_json()
    assert doc["name"] == "loop"
    assert {"width_m", "height_m", "centerline", "inner", "outer"} <= doc.keys()
    assert doc["width_m"] == pytest.approx(track.size[0], abs=1e-3)
    for key in ("centerline", "inner", "outer"):
        pts = np.array(doc[key])
        assert pts.shape[1] == 2 and len(pts) > 100
        assert (pts >= 0).all() and (pts[:, 0] <= doc["width_m"]).all() and (pts[:, 1] <= doc["height_m"]).all()
    assert len(doc["obstacles"]) == 2
    assert track.on_track([[b.x, b.y] for b in track.obstacles]).all()
    with pytest.raises(ValueError, match="unknown track"):
        make_track("monza")
