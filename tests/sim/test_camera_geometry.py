"""Simulated camera frames put the horizon, the border tape, the centre dashes, the barriers and the
obstacles where a pinhole camera (120-degree lens, 10 cm high, pitched down) puts them.

Expected pixels are computed here by hand from the pinhole equations, independently of the renderer."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from sim.camera_render import CameraModel, CameraRenderer, FloorTexture, stereo_pair
from sim.track import Box, make_track

INCH = 0.0254
W, H = 640, 480
F = (W / 2) / math.tan(math.radians(60))  # 120-degree horizontal field of view
CX, CY = (W - 1) / 2, (H - 1) / 2
TILT = math.radians(20)
CAM_X, CAM_Z = 0.12, 0.10


def project(X: float, Y: float, Z: float = 0.0, cam_y: float = 0.0) -> tuple[float, float]:
    """Car-frame point -> pixel for a camera at (CAM_X, cam_y, CAM_Z) pitched down by TILT."""
    dx, dy, dz = X - CAM_X, Y - cam_y, Z - CAM_Z
    depth = dx * math.cos(TILT) - dz * math.sin(TILT)
    right = -dy
    down = -dx * math.sin(TILT) - dz * math.cos(TILT)
    return CX + F * right / depth, CY + F * down / depth


@pytest.fixture(scope="module")
def loop_renderer():
    track = make_track("loop")
    cam = CameraModel(width=W, height=H, hfov_deg=120, x=CAM_X, z=CAM_Z, tilt_deg=20)
    return track, CameraRenderer(FloorTexture(track), cam)


def _white_runs(row: np.ndarray) -> list[tuple[float, int]]:
    """(centre column, length) of runs of white-ish pixels in one image row."""
    white = row.min(axis=1) > 150
    runs, start = [], None
    for i, w in enumerate(list(white) + [False]):
        if w and start is None:
            start = i
        elif not w and start is not None:
            runs.append(((start + i - 1) / 2, i - start))
            start = None
    return runs


def test_horizon_row_on_an_endless_floor():
    track = make_track("loop")
    far = replace(track, centerline=track.centerline + 100.0, size=(200.0, 200.0))
    cam = CameraModel(width=W, height=H, x=CAM_X, z=CAM_Z, tilt_deg=20)
    frame = CameraRenderer(FloorTexture(far, resolution=0.25, supersample=1), cam).render(*far.pose_at(0.0))
    column = frame[:, W // 2].astype(int)
    barrier = np.array(far.palette.barrier)
    first_floor = int(np.argmax(np.abs(column - barrier).sum(axis=1) > 30))
    horizon = CY - F * math.tan(TILT)
    assert cam.horizon_row == pytest.approx(horizon)
    assert horizon <= first_floor <= horizon + 1.5
    assert (np.abs(frame[: int(horizon)] - barrier).sum(axis=2) < 3).all()


def _ground_x_for_row(row: int, Y: float, cam_y: float = 0.0) -> float:
    """Distance ahead at which the floor line at lateral offset Y crosses image row `row` (bisection)."""
    lo, hi = CAM_X + 0.01, 50.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if project(mid, Y, cam_y=cam_y)[1] > row:  # still below the row: go further
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def test_border_tape_is_where_the_pinhole_model_puts_it(loop_renderer):
    track, renderer = loop_renderer
    x, y, yaw = track.pose_at(-0.25)  # bottom straight, driving along +x on the centreline
    frame = renderer.render(x, y, yaw)
    checked = 0
    for row in (200, 215, 230, 245, 260):
        for side in (1, -1):
            Y = side * track.width / 2
            ahead = _ground_x_for_row(row, Y)
            assert ahead < 1.0  # still on the straight
            u, _ = project(ahead, Y)
            centre, length = min(_white_runs(frame[row]), key=lambda r: abs(r[0] - u))
            assert centre == pytest.approx(u, abs=1.5), (row, side)
            # the tape's apparent width matches 1.88 in at that distance
            u_in, _ = project(ahead, Y - side * track.tape_width / 2)
            u_out, _ = project(ahead, Y + side * track.tape_width / 2)
            assert length == pytest.approx(abs(u_out - u_in), abs=2.5)
            checked += 1
    assert checked == 10


def test_centre_dashes_and_barrier_line(loop_renderer):
    track, renderer = loop_renderer
    s0 = -0.25
    x, y, yaw = track.pose_at(s0)
    frame = renderer.render(x, y, yaw)
    period = 6 * INCH
    for k in range(1, 4):
        dash_centre = 3 * INCH + k * period - s0  # car-frame distance ahead of the rear axle
        gap_centre = 6 * INCH + k * period - s0
        u, v = project(dash_centre, 0.0)
        assert frame[int(round(v)), int(round(u))].min() > 180, k
        u, v = project(gap_centre, 0.0)
        assert frame[int(round(v)), int(round(u))].max() < 80, k
    # straight ahead the floor ends at the barrier line: above it the barrier colour
    dist = track.size[0] - x
    _, v_barrier = project(dist, 0.0)
    barrier = np.array(track.palette.barrier)
    col = frame[:, W // 2].astype(int)
    assert np.abs(col[int(v_barrier) - 1] - barrier).sum() < 10
    assert np.abs(col[int(v_barrier) + 2] - barrier).sum() > 30


def test_stereo_pair_disparity():
    track = make_track("loop")
    texture = FloorTexture(track)
    base = CameraModel(width=W, height=H, x=CAM_X, z=CAM_Z, tilt_deg=20)
    left_cam, right_cam = stereo_pair(base, baseline=0.06)
    assert left_cam.y == pytest.approx(0.03) and right_cam.y == pytest.approx(-0.03)
    pose = track.pose_at(-0.25)
    left = CameraRenderer(texture, left_cam).render(*pose)
    right = CameraRenderer(texture, right_cam).render(*pose)
    row, Y = 230, track.width / 2
    ahead = _ground_x_for_row(row, Y, cam_y=0.03)
    u_l, _ = project(ahead, Y, cam_y=0.03)
    u_r, _ = project(ahead, Y, cam_y=-0.03)
    assert u_l - u_r > 10  # disparity f B / depth: the left camera sees the point further right
    got_l = min(_white_runs(left[row]), key=lambda r: abs(r[0] - u_l))[0]
    got_r = min(_white_runs(right[row]), key=lambda r: abs(r[0] - u_r))[0]
    assert got_l == pytest.approx(u_l, abs=1.5)
    assert got_r == pytest.approx(u_r, abs=1.5)
    assert not np.array_equal(left, right)


def renderer_horizon() -> float:
    return CY - F * math.tan(TILT)


def test_box_obstacle_is_drawn_where_it_stands():
    track = make_track("loop")
    x, y, yaw = track.pose_at(-0.25)
    box = Box(x=x + 0.7, y=y, yaw=0.0, length=0.2, width=0.2, height=0.2)
    with_box = replace(track, obstacles=(box,))
    cam = CameraModel(width=W, height=H, x=CAM_X, z=CAM_Z, tilt_deg=20)
    frame = CameraRenderer(FloorTexture(with_box), cam).render(x, y, yaw)
    # the centre of the face towards the car (x = 0.6 m ahead, 10 cm high)
    u, v = project(0.6, 0.0, 0.1)
    b, g, r = (int(c) for c in frame[int(round(v)), int(round(u))])
    assert r > g > b and r > 60  # cardboard brown, not tape, floor or barrier
    # the box is taller than the camera: its top edge is above the horizon, and above it the barrier
    u_top, v_top = project(0.6, 0.0, 0.2)
    u_above, v_above = project(0.6, 0.0, 0.25)
    assert v_top < renderer_horizon()
    assert v_above < v_top
    assert frame[int(round(v_top)) + 3, int(round(u_top))][2] > frame[int(round(v_top)) + 3, int(round(u_top))][0]
    assert np.abs(frame[int(v_above) - 3, int(round(u_above))].astype(int) - np.array(track.palette.barrier)).sum() < 10
