"""scripts/make_sample_model.py: the numpy network it trains is exactly the frozen graph it writes
(OpenVINO gives the same outputs), and the archive is reproducible from the seed."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest

from inference.engine import InferenceEngine
from inference.models import import_model
from inference.preprocess import build_inputs
from inference.tfgraph import shallow_graph_bytes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("make_sample_model", ROOT / "scripts" / "make_sample_model.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_sample_model"] = module
    spec.loader.exec_module(module)
    return module


def test_numpy_network_equals_the_frozen_graph_in_openvino(script, tmp_path):
    rng = np.random.default_rng(3)
    net = script.Net(script.SPEC, rng)
    for name in net.w:  # non-trivial biases too
        net.w[name] = net.w[name] + rng.normal(0, 0.05, net.w[name].shape).astype(np.float32)
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "model.pb").write_bytes(shallow_graph_bytes(script.SPEC, net.w))
    engine = InferenceEngine.load(folder / "model.pb")
    sim = script.Simulation.create("loop", lidar=False)
    for s in (0.0, 1.5, 3.0):
        sim.vehicle.place(*sim.track.pose_at(s, 0.05))
        images = script.camera_images(sim)
        out = engine.infer(build_inputs(engine.inputs, images, []))
        logits, _ = net.forward(script.grey(images)[None])
        p = np.exp(logits[0] - logits[0].max())
        p /= p.sum()
        assert out.shape == (len(script.STEERING),)
        assert np.allclose(out, p, atol=1e-4)


def test_archive_is_reproducible_and_in_the_console_format(script, tmp_path):
    args = ["--samples", "48", "--epochs", "1", "--dagger", "0", "--check-seconds", "0"]
    a, b = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    assert script.main([*args, "--output", str(a)]) == 0
    assert script.main([*args, "--output", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    with tarfile.open(a) as tar:
        assert sorted(tar.getnames()) == ["agent/model.pb", "model_metadata.json"]
        meta = json.load(io.TextIOWrapper(tar.extractfile("model_metadata.json")))
    assert meta["sensor"] == ["FRONT_FACING_CAMERA"]
    assert meta["action_space_type"] == "discrete" and meta["training_algorithm"] == "clipped_ppo"
    assert [x["steering_angle"] for x in meta["action_space"]] == list(script.STEERING)
    result = import_model(a, tmp_path / "artifacts")
    assert result.graph.name == "model.pb"
