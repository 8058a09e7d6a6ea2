"""Camera images of the simulated track: a pinhole camera on the car looking at a pre-rendered floor.

The floor (track surface, border tape, dashed centre line) is drawn once, top-down, into a texture with
a small mip pyramid. Every pixel below the horizon sees the flat floor, so image -> floor is a plane
homography; a frame is one `cv2.warpPerspective` per band of rows (each band samples the pyramid level
matching its ground footprint, so the far dashes do not shimmer), the barrier colour above the horizon
and beyond the barriers, and box obstacles drawn as projected convex faces. No ray tracing, no GPU: a
640x480 frame costs a few milliseconds on one core.

Frames: car frame x forward, y left, z up (metres, origin at the rear axle centre on the floor);
camera frame is OpenCV's (x right, y down, z forward). The camera is pitched down by `tilt_deg`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from sim.track import DASH_GAP_M, DASH_LENGTH_M, Track

DEFAULT_WIDTH = 640
DEFAULT_HEIGHT = 480
DEFAULT_HFOV_DEG = 120.0  # "The camera has 120-degree wide angle lens"
DEFAULT_CAMERA_HEIGHT_M = 0.10
DEFAULT_CAMERA_X_M = 0.12  # ahead of the rear axle
DEFAULT_TILT_DEG = 20.0
STEREO_BASELINE_M = 0.06  # the second camera is mounted on the other side of the car


@dataclass(frozen=True)
class CameraModel:
    """A pinhole camera mounted on the car."""

    width: int = DEFAULT_WIDTH
    height: int = DEFAULT_HEIGHT
    hfov_deg: float = DEFAULT_HFOV_DEG
    x: float = DEFAULT_CAMERA_X_M
    y: float = 0.0
    z: float = DEFAULT_CAMERA_HEIGHT_M
    tilt_deg: float = DEFAULT_TILT_DEG  # pitched down

    @property
    def fx(self) -> float:
        return (self.width / 2) / math.tan(math.radians(self.hfov_deg) / 2)

    @property
    def cx(self) -> float:
        return (self.width - 1) / 2

    @property
    def cy(self) -> float:
        return (self.height - 1) / 2

    def K(self) -> np.ndarray:
        return np.array([[self.fx, 0, self.cx], [0, self.fx, self.cy], [0, 0, 1]], dtype=np.float64)

    def rotation_car_from_cam(self) -> np.ndarray:
        """Columns: the camera's x (right), y (down), z (optical axis) expressed in the car frame."""
        t = math.radians(self.tilt_deg)
        right = np.array([0.0, -1.0, 0.0])
        forward = np.array([math.cos(t), 0.0, -math.sin(t)])
        down = np.cross(forward, right)  # z x x = y in a right-handed camera frame
        return np.stack([right, down, forward], axis=1)

    @property
    def horizon_row(self) -> float:
        """Image row of the horizon (rays parallel to the floor)."""
        return self.cy - self.fx * math.tan(math.radians(self.tilt_deg))

    def car_to_image(self, points_car: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project car-frame points (N, 3) -> (pixels (N, 2), depth along the optical axis (N,))."""
        p = np.atleast_2d(np.asarray(points_car, dtype=np.float64)) - np.array([self.x, self.y, self.z])
        cam = p @ self.rotation_car_from_cam()  # R^T p for each row
        z = cam[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            u = self.fx * cam[:, 0] / z + self.cx
            v = self.fx * cam[:, 1] / z + self.cy
        return np.stack([u, v], axis=1), z

    def ground_from_image(self) -> np.ndarray:
        """3x3 homography: image pixel (u, v, 1) -> floor point (X, Y, 1) in the car frame.

        Valid only below the horizon (where the ray goes down)."""
        m = self.rotation_car_from_cam() @ np.linalg.inv(self.K())  # pixel -> ray d (car frame)
        h = self.z
        # X = x + h dx / (-dz), Y = y + h dy / (-dz)  =>  [X, Y, 1] ~ [h dx - x dz, h dy - y dz, -dz]
        g = np.array([[h, 0.0, -self.x], [0.0, h, -self.y], [0.0, 0.0, -1.0]])
        return g @ m

    def ground_point(self, u: float, v: float) -> tuple[float, float] | None:
        """Floor point (car frame) seen at pixel (u, v), or None at/above the horizon."""
        d = self.rotation_car_from_cam() @ np.linalg.inv(self.K()) @ np.array([u, v, 1.0])
        if d[2] >= -1e-9:
            return None
        t = self.z / -d[2]
        return float(self.x + t * d[0]), float(self.y + t * d[1])


def stereo_pair(base: CameraModel, baseline: float = STEREO_BASELINE_M) -> tuple[CameraModel, CameraModel]:
    """(left, right) cameras: the same model shifted half the baseline to each side."""
    from dataclasses import replace

    return replace(base, y=base.y + baseline / 2), replace(base, y=base.y - baseline / 2)


class FloorTexture:
    """The track floor drawn top-down at `resolution` m/pixel, with a mip pyramid."""

    def __init__(self, track: Track, resolution: float = 0.004, levels: int = 4, supersample: int = 2) -> None:
        self.track = track
        self.resolution = float(resolution)
        w_m, h_m = track.size
        self.height_m = h_m
        ss = max(1, int(supersample))
        res = self.resolution / ss
        cols, rows = int(math.ceil(w_m / self.resolution)), int(math.ceil(h_m / self.resolution))
        pal = track.palette
        img: np.ndarray = np.empty((rows * ss, cols * ss, 3), dtype=np.uint8)
        img[:] = pal.off_track
        shift = 4
        scale = (1 << shift) / res

        centre = (ss - 1) / 2 * (1 << shift)  # so that an area-resize puts world i*res at pixel i

        def to_px(poly: np.ndarray) -> np.ndarray:
            px = np.empty_like(poly)
            px[:, 0] = poly[:, 0] * scale + centre
            px[:, 1] = (h_m - poly[:, 1]) * scale + centre
            return np.round(px).astype(np.int32).reshape(-1, 1, 2)

        closed = track.closed
        if pal.track != pal.off_track:
            left = track.offset_line(track.half_extent)
            right = track.offset_line(-track.half_extent)
            if closed:
                cv2.fillPoly(img, [to_px(left), to_px(right)], pal.track, cv2.LINE_AA, shift)
            else:
                ring = np.vstack([left, right[::-1]])
                cv2.fillPoly(img, [to_px(ring)], pal.track, cv2.LINE_AA, shift)
        half_tape = track.tape_width / 2
        for side in (1.0, -1.0):  # each border tape as an exact filled band (a ring on closed tracks)
            a = track.offset_line(side * (track.width / 2 + half_tape))
            b = track.offset_line(side * (track.width / 2 - half_tape))
            polys = [to_px(a), to_px(b)] if closed else [to_px(np.vstack([a, b[::-1]]))]
            cv2.fillPoly(img, polys, pal.border, cv2.LINE_AA, shift)
        # dashed centre line: 4 in pieces of tape (square ends), 2 in apart
        pts = track.centerline
        loop = np.vstack([pts, pts[:1]]) if closed else pts
        cum = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(loop, axis=0).T))])
        period = DASH_LENGTH_M + DASH_GAP_M
        half = track.tape_width / 2
        dashes = []
        s0 = DASH_GAP_M / 2
        while s0 + DASH_LENGTH_M <= cum[-1]:
            s = np.linspace(s0, s0 + DASH_LENGTH_M, 6)
            c = np.stack([np.interp(s, cum, loop[:, 0]), np.interp(s, cum, loop[:, 1])], axis=1)
            d = np.gradient(c, axis=0)
            n = np.stack([-d[:, 1], d[:, 0]], axis=1) / np.linalg.norm(d, axis=1, keepdims=True)
            dashes.append(to_px(np.vstack([c + half * n, (c - half * n)[::-1]])))
            s0 += period
        cv2.fillPoly(img, dashes, pal.centre, cv2.LINE_AA, shift)
        if ss > 1:
            img = cv2.resize(img, (cols, rows), interpolation=cv2.INTER_AREA)
        self.pyramid: list[np.ndarray] = [img]
        for _ in range(1, levels):
            self.pyramid.append(cv2.pyrDown(self.pyramid[-1]))

    def texture_from_world(self, level: int = 0) -> np.ndarray:
        """3x3: world (x, y, 1) -> pixel of pyramid level `level`."""
        r = self.resolution
        s = np.array([[1 / r, 0, 0], [0, -1 / r, self.height_m / r], [0, 0, 1]], dtype=np.float64)
        if level:  # pyrDown keeps pixel 2i of the finer level at pixel i
            f = 2.0**level
            s = np.array([[1 / f, 0, 0], [0, 1 / f, 0], [0, 0, 1]]) @ s
        return s


def world_from_car(x: float, y: float, yaw: float) -> np.ndarray:
    c, s = math.cos(yaw), math.sin(yaw)
    return np.array([[c, -s, x], [s, c, y], [0, 0, 1]], dtype=np.float64)


class CameraRenderer:
    """Renders BGR frames of one camera for a car pose."""

    def __init__(self, texture: FloorTexture, camera: CameraModel | None = None, max_level: int | None = None,
                 boxes: bool = True) -> None:
        self.texture = texture
        self.camera = camera or CameraModel()
        self.track = texture.track
        self.barrier = tuple(int(c) for c in self.track.palette.barrier)
        self._draw_boxes = boxes and bool(self.track.obstacles)
        cam = self.camera
        self._g = cam.ground_from_image()
        top = int(math.floor(cam.horizon_row)) + 1  # first row whose rays all go down
        self.first_floor_row = min(max(top, 0), cam.height)
        levels = len(texture.pyramid) if max_level is None else min(max_level + 1, len(texture.pyramid))
        self.bands = self._bands(levels)

    def _bands(self, levels: int) -> list[tuple[int, int, int]]:
        """[(row0, row1, level)]: contiguous row bands below the horizon, by ground footprint."""
        cam = self.camera
        u = cam.cx
        out: list[tuple[int, int, int]] = []
        for v in range(self.first_floor_row, cam.height):
            p0 = cam.ground_point(u, v)
            p1 = cam.ground_point(u, v + 1)
            p2 = cam.ground_point(u + 1, v)
            if p0 is None or p1 is None or p2 is None:
                level = levels - 1
            else:
                foot = max(math.dist(p0, p1), math.dist(p0, p2)) / self.texture.resolution
                level = int(min(levels - 1, max(0, math.floor(math.log2(max(foot, 1.0))))))
            if out and out[-1][2] == level:
                out[-1] = (out[-1][0], v + 1, level)
            else:
                out.append((v, v + 1, level))
        return out

    def render(self, x: float, y: float, yaw: float, out: np.ndarray | None = None) -> np.ndarray:
        cam = self.camera
        frame = out if out is not None else np.empty((cam.height, cam.width, 3), dtype=np.uint8)
        frame[: self.first_floor_row] = self.barrier
        car_to_world = world_from_car(x, y, yaw) @ self._g
        for r0, r1, level in self.bands:
            h = self.texture.texture_from_world(level) @ car_to_world
            h = h @ np.array([[1, 0, 0], [0, 1, r0], [0, 0, 1]], dtype=np.float64)
            cv2.warpPerspective(self.texture.pyramid[level], h, (cam.width, r1 - r0), dst=frame[r0:r1],
                                flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=self.barrier)
        if self._draw_boxes:
            self._render_boxes(frame, x, y, yaw)
        return frame

    # ---- obstacles ------------------------------------------------------------------------------
    def _render_boxes(self, frame: np.ndarray, x: float, y: float, yaw: float) -> None:
        cam = self.camera
        c, s = math.cos(yaw), math.sin(yaw)
        cam_world = np.array([x + c * cam.x - s * cam.y, y + s * cam.x + c * cam.y, cam.z])
        order = sorted(self.track.obstacles, key=lambda b: -math.hypot(b.x - cam_world[0], b.y - cam_world[1]))
        light = np.array([0.4, 0.3, 0.87])
        for box in order:
            foot = box.corners()
            bottom = np.hstack([foot, np.zeros((4, 1))])
            top = np.hstack([foot, np.full((4, 1), box.height)])
            faces = [(top, np.array([0.0, 0.0, 1.0]))]
            for i in range(4):
                j = (i + 1) % 4
                quad = np.array([bottom[i], bottom[j], top[j], top[i]])
                edge = foot[j] - foot[i]
                normal = np.array([edge[1], -edge[0], 0.0])  # outward for counter-clockwise corners
                faces.append((quad, normal / np.linalg.norm(normal)))
            for quad, normal in faces:
                centre = quad.mean(axis=0)
                if float(np.dot(normal, cam_world - centre)) <= 0:
                    continue
                shade = 0.55 + 0.45 * max(0.0, float(np.dot(normal, light)))
                colour = tuple(int(min(255, ch * shade)) for ch in box.colour)
                # world -> car frame
                rel = quad[:, :2] - np.array([x, y])
                car = np.stack([c * rel[:, 0] + s * rel[:, 1], -s * rel[:, 0] + c * rel[:, 1], quad[:, 2]], axis=1)
                poly = _clip_near(car, cam)
                if poly is None:
                    continue
                px, _ = cam.car_to_image(poly)
                pts = np.round(px * 16).astype(np.int32).reshape(-1, 1, 2)
                cv2.fillConvexPoly(frame, pts, colour, cv2.LINE_AA, 4)


def _clip_near(poly_car: np.ndarray, cam: CameraModel, near: float = 0.01) -> np.ndarray | None:
    """Clip a car-frame polygon to depth >= near (Sutherland-Hodgman on one plane)."""
    _, depth = cam.car_to_image(poly_car)
    if np.all(depth >= near):
        return poly_car
    if np.all(depth < near):
        return None
    out = []
    n = len(poly_car)
    for i in range(n):
        a, b = poly_car[i], poly_car[(i + 1) % n]
        da, db = depth[i], depth[(i + 1) % n]
        if da >= near:
            out.append(a)
        if (da >= near) != (db >= near):
            t = (near - da) / (db - da)
            out.append(a + t * (b - a))
    return np.array(out) if len(out) >= 3 else None


def make_renderers(track: Track, stereo: bool = False, camera: CameraModel | None = None,
                   resolution: float = 0.004) -> list[CameraRenderer]:
    """One renderer (mono) or two (stereo: left, right) sharing one floor texture."""
    texture = FloorTexture(track, resolution=resolution)
    base = camera or CameraModel()
    cams = list(stereo_pair(base)) if stereo else [base]
    return [CameraRenderer(texture, cam) for cam in cams]
