#!/usr/bin/env python3
"""Make the sample model `sample_models/sim_loop_model.tar.gz` (reproducible, seeded).

A small version of the DeepRacer shallow network (same layer types, tensor names and frozen-graph
format as a model from the training console: grey 160x120 front camera, /255 in the graph, three
VALID convolutions, a dense middleware layer and a softmax over a discrete action space) is fitted,
with numpy only, to imitate a pure-pursuit driver that knows the car's true pose on the simulated
loop track:

1. frames are rendered by the simulator's camera at random poses around the track (off-centre and
   skewed headings included) and passed through the car's own image path (640x480 -> cv2.resize to
   160x120, INTER_LINEAR -> grey, as camera_node + inference do); each is labelled with the expert's
   steering angle, spread over the two nearest discrete actions;
2. the network is trained with softmax cross-entropy (Adam);
3. DAgger: the learned policy drives the simulated car (15 fps, one frame of latency); the states it
   visits are labelled by the expert and added to the data; retrain. Repeated a few times.

The weights become a frozen graph through inference/tfgraph.py, packed with model_metadata.json in
the archive layout of the training console (`agent/model.pb` + `model_metadata.json`, fixed
timestamps so the archive bytes depend only on the weights). `--verify` then drives a lap with the
real OpenVINO engine (inference/engine.py) and the navigation maths.

    python scripts/make_sample_model.py [--output sample_models/sim_loop_model.tar.gz] [--seed 7]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import math
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from calibration.files import DEFAULT_CALIBRATION, VehicleCalibration  # noqa: E402
from inference.preprocess import GREY, camera_plane  # noqa: E402
from inference.tfgraph import ShallowNetworkSpec, model_metadata, shallow_graph_bytes  # noqa: E402
from sim.closed_loop import Policy, camera_images, drive  # noqa: E402
from sim.pure_pursuit import pure_pursuit_steering  # noqa: E402
from sim.world import Simulation  # noqa: E402
from vehicle.model_load import MODEL_IMAGE_HEIGHT, MODEL_IMAGE_WIDTH  # noqa: E402

SENSOR = "FRONT_FACING_CAMERA"
STEERING = (-30.0, -20.0, -10.0, 0.0, 10.0, 20.0, 30.0)
SPEED = 1.0  # m/s in the action space; max speed 50 % -> throttle 0.5
ACTION_SPACE = [{"steering_angle": a, "speed": SPEED, "index": i} for i, a in enumerate(STEERING)]
SPEC = ShallowNetworkSpec(sensors=(SENSOR,), training_algorithm="clipped_ppo", action_space_type="discrete",
                          num_actions=len(STEERING), conv_layers=((16, 8, 4), (32, 4, 2), (32, 3, 1)),
                          middleware_units=64)
IMAGE_W, IMAGE_H = MODEL_IMAGE_WIDTH, MODEL_IMAGE_HEIGHT
THROTTLE = 0.5  # what navigation sends for SPEED at max speed 50 %
LOOKAHEAD = 0.4
DEFAULT_OUTPUT = ROOT / "sample_models" / "sim_loop_model.tar.gz"


# ---- observations and the expert ------------------------------------------------------------------
def grey(images: Sequence[np.ndarray]) -> np.ndarray:
    """The model input from the camera node's resized image: float32 (120, 160) grey 0..255."""
    return camera_plane(images[0], IMAGE_W, IMAGE_H, GREY)


def observe(sim: Simulation) -> np.ndarray:
    """The model input for the current pose, through the car's image path."""
    return grey(camera_images(sim))


def expert_steering(sim: Simulation) -> float:
    st = sim.vehicle.state
    assert sim.referee is not None
    s = float(sim.track.project([[st.x, st.y]], hint_s=sim.referee.s, window=0.8).s[0])
    return pure_pursuit_steering(sim.track, st.x, st.y, st.yaw, s, lookahead=LOOKAHEAD)


def soft_target(steer_deg: float) -> np.ndarray:
    """The expert's angle spread linearly over the two nearest actions."""
    angles = np.array(STEERING)
    steer = float(np.clip(steer_deg, angles[0], angles[-1]))
    target = np.zeros(len(angles), dtype=np.float32)
    hi = int(np.searchsorted(angles, steer))
    if hi == 0 or angles[hi] == steer:
        target[hi] = 1.0
    else:
        lo = hi - 1
        w = (steer - angles[lo]) / (angles[hi] - angles[lo])
        target[lo], target[hi] = 1.0 - w, w
    return target


def random_pose_samples(sim: Simulation, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    track = sim.track
    xs = np.empty((count, IMAGE_H, IMAGE_W), dtype=np.float32)
    ys = np.empty((count, len(STEERING)), dtype=np.float32)
    for i in range(count):
        s = rng.uniform(0, track.length)
        lateral = rng.uniform(-0.2, 0.2)
        x, y, yaw = track.pose_at(s, lateral)
        yaw += rng.uniform(-0.4, 0.4)
        sim.vehicle.place(x, y, yaw)
        assert sim.referee is not None
        sim.referee.s = s
        xs[i] = observe(sim)
        ys[i] = soft_target(expert_steering(sim))
    return xs, ys


# ---- the network in numpy (NHWC, the same maths as the frozen graph) ------------------------------
def _im2col(x: np.ndarray, k: int, stride: int) -> tuple[np.ndarray, tuple[int, int]]:
    b, h, w, c = x.shape
    ho, wo = (h - k) // stride + 1, (w - k) // stride + 1
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(1, 2))[:, : ho * stride : stride, : wo * stride : stride]
    # (B, Ho, Wo, C, kh, kw) -> (B, Ho, Wo, kh, kw, C): the HWIO kernel order
    cols = np.ascontiguousarray(win.transpose(0, 1, 2, 4, 5, 3)).reshape(b * ho * wo, k * k * c)
    return cols, (ho, wo)


def _col2im(dcols: np.ndarray, shape: tuple[int, ...], k: int, stride: int, out_hw: tuple[int, int]) -> np.ndarray:
    b, h, w, c = shape
    ho, wo = out_hw
    d = dcols.reshape(b, ho, wo, k, k, c)
    dx = np.zeros(shape, dtype=np.float32)
    for i in range(k):
        for j in range(k):
            dx[:, i : i + stride * ho : stride, j : j + stride * wo : stride, :] += d[:, :, :, i, j, :]
    return dx


class Net:
    """Weights named as inference/tfgraph.py expects (relative to the policy network scope)."""

    def __init__(self, spec: ShallowNetworkSpec, rng: np.random.Generator) -> None:
        self.spec = spec
        self.w: dict[str, np.ndarray] = {}
        for name, shape in spec.weight_shapes().items():
            if name.endswith("/bias"):
                self.w[name] = np.zeros(shape, dtype=np.float32)
            else:
                fan_in = int(np.prod(shape[:-1]))
                self.w[name] = (rng.standard_normal(shape) * math.sqrt(2.0 / fan_in)).astype(np.float32)
        head = f"{spec.head_scope}/{spec.head_layer}"
        self.w[f"{head}/kernel"] *= 0.1
        self.names = list(self.w)
        self.m = {n: np.zeros_like(v) for n, v in self.w.items()}
        self.v = {n: np.zeros_like(v) for n, v in self.w.items()}
        self.t = 0

    def forward(self, x: np.ndarray, keep: bool = False) -> tuple[np.ndarray, list]:
        """x: (B, 120, 160) raw grey 0..255 -> logits (B, actions)."""
        spec = self.spec
        h = (x[..., None] / np.float32(255.0)).astype(np.float32)
        cache: list[Any] = []
        for i, (_filters, k, stride) in enumerate(spec.conv_layers):
            kern = self.w[f"{SENSOR}/Conv2d_{i}/kernel"]
            cols, (ho, wo) = _im2col(h, k, stride)
            z = cols @ kern.reshape(-1, kern.shape[-1]) + self.w[f"{SENSOR}/Conv2d_{i}/bias"]
            a = np.maximum(z, 0.0).reshape(h.shape[0], ho, wo, kern.shape[-1])
            if keep:
                cache.append((h.shape, cols, (ho, wo), z))
            h = a
        flat = h.reshape(h.shape[0], -1)
        z_mid = flat @ self.w["middleware_fc_embedder/Dense_0/kernel"] + self.w["middleware_fc_embedder/Dense_0/bias"]
        mid = np.maximum(z_mid, 0.0)
        head = f"{spec.head_scope}/{spec.head_layer}"
        logits = mid @ self.w[f"{head}/kernel"] + self.w[f"{head}/bias"]
        if keep:
            cache.append((flat, z_mid, mid))
        return logits, cache

    def grads(self, x: np.ndarray, target: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        spec = self.spec
        logits, cache = self.forward(x, keep=True)
        logits = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        n = x.shape[0]
        loss = float(-(target * np.log(p + 1e-9)).sum() / n)
        g: dict[str, np.ndarray] = {}
        dlogits = (p - target) / n
        flat, z_mid, mid = cache[-1]
        head = f"{spec.head_scope}/{spec.head_layer}"
        g[f"{head}/kernel"] = mid.T @ dlogits
        g[f"{head}/bias"] = dlogits.sum(axis=0)
        dmid = (dlogits @ self.w[f"{head}/kernel"].T) * (z_mid > 0)
        g["middleware_fc_embedder/Dense_0/kernel"] = flat.T @ dmid
        g["middleware_fc_embedder/Dense_0/bias"] = dmid.sum(axis=0)
        dh = dmid @ self.w["middleware_fc_embedder/Dense_0/kernel"].T
        for i in reversed(range(len(spec.conv_layers))):
            _filters, k, stride = spec.conv_layers[i]
            in_shape, cols, out_hw, z = cache[i]
            kern = self.w[f"{SENSOR}/Conv2d_{i}/kernel"]
            dz = dh.reshape(z.shape) * (z > 0)
            g[f"{SENSOR}/Conv2d_{i}/kernel"] = (cols.T @ dz).reshape(kern.shape)
            g[f"{SENSOR}/Conv2d_{i}/bias"] = dz.sum(axis=0)
            if i > 0:
                dh = _col2im(dz @ kern.reshape(-1, kern.shape[-1]).T, in_shape, k, stride, out_hw)
        return loss, g

    def adam(self, g: dict[str, np.ndarray], lr: float, b1: float = 0.9, b2: float = 0.999) -> None:
        self.t += 1
        for name in self.names:
            self.m[name] = b1 * self.m[name] + (1 - b1) * g[name]
            self.v[name] = b2 * self.v[name] + (1 - b2) * g[name] ** 2
            mh = self.m[name] / (1 - b1**self.t)
            vh = self.v[name] / (1 - b2**self.t)
            self.w[name] = (self.w[name] - lr * mh / (np.sqrt(vh) + 1e-8)).astype(np.float32)

    def act(self, obs: np.ndarray) -> int:
        logits, _ = self.forward(obs[None])
        return int(np.argmax(logits[0]))


def train(net: Net, xs: np.ndarray, ys: np.ndarray, epochs: int, rng: np.random.Generator, lr: float = 1e-3,
          batch: int = 64, log: Callable[[str], None] = print) -> None:
    n = len(xs)
    for epoch in range(epochs):
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            x = xs[idx]
            # brightness/contrast jitter so the model keys on the lines, not on exact grey levels
            gain = rng.uniform(0.8, 1.2, size=(len(idx), 1, 1)).astype(np.float32)
            bias = rng.uniform(-15, 15, size=(len(idx), 1, 1)).astype(np.float32)
            x = np.clip(x * gain + bias, 0, 255).astype(np.float32)
            loss, g = net.grads(x, ys[idx])
            net.adam(g, lr)
            total += loss * len(idx)
        log(f"  epoch {epoch + 1}/{epochs}: loss {total / n:.4f}")


# ---- driving --------------------------------------------------------------------------------------
def net_policy(net: Net) -> Policy:
    def policy(images: Sequence[np.ndarray]) -> tuple[float, float]:
        return STEERING[net.act(grey(images))] / 30.0, THROTTLE

    return policy


def dagger_run(sim: Simulation, net: Net, seconds: float, record: list[tuple[np.ndarray, np.ndarray]],
               expert_mix: float, rng: np.random.Generator) -> None:
    """Drive with the learned policy (or, with probability `expert_mix`, the expert); every frame
    is stored with the expert's label."""
    learned = net_policy(net)
    expert = {"angle": 0.0}

    def on_frame(s: Simulation, images: list[np.ndarray]) -> None:
        expert["angle"] = expert_steering(s)
        record.append((grey(images), soft_target(expert["angle"])))

    def policy(images: Sequence[np.ndarray]) -> tuple[float, float]:
        if rng.uniform() < expert_mix:
            return min(STEERING, key=lambda a: abs(a - expert["angle"])) / 30.0, THROTTLE
        return learned(images)

    # the node graph's latency varies: train on 10..60 ms between the frame and the new pulses
    drive(sim, policy, seconds, on_frame=on_frame, latency_steps=int(rng.integers(1, 7)))


def lap_check(policy: Policy, seconds: float = 20.0,
              calibration: VehicleCalibration = DEFAULT_CALIBRATION) -> dict[str, float]:
    """Laps and off-track events of `policy` driving the loop for `seconds` (simulated)."""
    sim = Simulation.create("loop", lidar=False, reset_after=1.0)
    drive(sim, policy, seconds, calibration)
    ref = sim.referee
    assert ref is not None
    return {"laps": ref.laps, "off_track": ref.off_track, "last_lap_s": ref.last_lap_s or float("nan")}


# ---- packaging ------------------------------------------------------------------------------------
def archive_bytes(graph: bytes, metadata: dict) -> bytes:
    """tar.gz with agent/model.pb + model_metadata.json; fixed times/owners for reproducible bytes."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in (("agent/model.pb", graph),
                           ("model_metadata.json", (json.dumps(metadata, indent=4) + "\n").encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            info.mode = 0o644
            info.uname = info.gname = "deepracer"
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def engine_policy(graph: Path) -> Policy:
    """The real OpenVINO engine + the navigation node's maths (max speed 50 %) as a policy."""
    from inference.engine import InferenceEngine
    from inference.navigation import load_action_space
    from inference.preprocess import build_inputs

    engine = InferenceEngine.load(graph)
    space, err, msg = load_action_space(graph, 1)
    if err:
        raise RuntimeError(f"action space: {msg}")

    def policy(images: Sequence[np.ndarray]) -> tuple[float, float]:
        out = engine.infer(build_inputs(engine.inputs, list(images), []))
        return space.servo_command(list(enumerate(out.tolist())), 0.5)

    return policy


def verify_with_engine(archive: Path, log: Callable[[str], None] = print) -> dict[str, float]:
    """Import the archive like the console does and drive the loop with the OpenVINO engine."""
    from inference.models import import_model

    with tempfile.TemporaryDirectory() as tmp:
        result = import_model(archive, Path(tmp) / "artifacts")
        stats = lap_check(engine_policy(result.graph))
        log(f"OpenVINO engine on the loop: {stats}")
        return stats


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--samples", type=int, default=4000, help="random-pose frames for the first fit")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--dagger", type=int, default=2, help="DAgger rounds")
    p.add_argument("--check-seconds", type=float, default=20.0,
                   help="simulated seconds of the numpy policy's lap check (0 = skip)")
    p.add_argument("--verify", action="store_true", help="drive the loop with the OpenVINO engine afterwards")
    args = p.parse_args(argv)
    t0 = time.monotonic()
    rng = np.random.default_rng(args.seed)
    sim = Simulation.create("loop", lidar=False)
    print(f"rendering {args.samples} labelled frames ...")
    xs, ys = random_pose_samples(sim, args.samples, rng)
    net = Net(SPEC, rng)
    print("training ...")
    train(net, xs, ys, args.epochs, rng)
    for round_ in range(args.dagger):
        record: list[tuple[np.ndarray, np.ndarray]] = []
        for run in range(3):
            start_s = float(rng.uniform(0, sim.track.length)) if run else 0.0
            dsim = Simulation.create("loop", lidar=False, reset_after=0.5, start_s=start_s)
            dagger_run(dsim, net, 15.0, record, expert_mix=0.5 * 0.5**round_, rng=rng)
        xs = np.concatenate([xs, np.stack([r[0] for r in record])])
        ys = np.concatenate([ys, np.stack([r[1] for r in record])])
        print(f"DAgger round {round_ + 1}: {len(record)} new frames, {len(xs)} in all")
        train(net, xs, ys, max(2, args.epochs // 2), rng, lr=5e-4)
    if args.check_seconds > 0:
        print(f"numpy policy on the loop: {lap_check(net_policy(net), args.check_seconds)}")
    graph = shallow_graph_bytes(SPEC, net.w)
    data = archive_bytes(graph, model_metadata(SPEC, ACTION_SPACE))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    from runtime.atomic import atomic_write_bytes

    atomic_write_bytes(args.output, data)
    print(f"wrote {args.output} ({len(data) / 1e6:.2f} MB) in {time.monotonic() - t0:.0f} s")
    if args.verify:
        verify_with_engine(args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
