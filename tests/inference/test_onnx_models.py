"""ONNX models run too: NCHW inputs found by their DeepRacer name, outputs match numpy."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from inference.engine import InferenceEngine
from inference.models import import_model
from inference.preprocess import build_inputs
from tests.inference.helpers import grey_image
from tests.inference.onnx_writer import conv_policy_onnx
from tests.inference.reference import conv2d_valid, relu, softmax

INPUT = "main_level/agent/main/online/network_0/FRONT_FACING_CAMERA/FRONT_FACING_CAMERA"
OUTPUT = "main_level/agent/main/online/network_1/ppo_head_0/policy"


def test_onnx_model_imports_loads_and_matches_numpy(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    kernel = rng.normal(0, 0.1, (4, 1, 8, 8)).astype(np.float32)      # F, C, kh, kw
    bias = rng.normal(0, 0.05, 4).astype(np.float32)
    features = 4 * 29 * 39
    fc = rng.normal(0, 0.02, (features, 3)).astype(np.float32)
    fc_bias = rng.normal(0, 0.05, 3).astype(np.float32)
    src = tmp_path / "upload"
    src.mkdir()
    (src / "policy.onnx").write_bytes(conv_policy_onnx(INPUT, OUTPUT, kernel, bias, 4, fc, fc_bias))
    (src / "model_metadata.json").write_text(json.dumps({
        "action_space": [{"steering_angle": a, "speed": 1.0} for a in (-30, 0, 30)],
        "sensor": ["FRONT_FACING_CAMERA"], "training_algorithm": "clipped_ppo", "action_space_type": "discrete"}))
    result = import_model(src / "policy.onnx", tmp_path / "artifacts", "onnx_model")
    assert result.graph.name == "model.onnx"

    engine = InferenceEngine.load(result.path / "model.xml")
    assert [(i.name, i.layout, i.shape) for i in engine.inputs] == [(INPUT, "NCHW", (1, 1, 120, 160))]
    image = grey_image(lambda h, w: (np.arange(h)[:, None] * 2 + np.arange(w)[None, :]) % 256)
    got = engine.infer(build_inputs(engine.inputs, [image], []))

    plane = image[:, :, 0].astype(np.float64)[:, :, None]                 # H, W, 1 raw 0-255
    conv = relu(conv2d_valid(plane, kernel.transpose(2, 3, 1, 0).astype(np.float64), 4) + bias)
    flat = conv.transpose(2, 0, 1).reshape(-1)                           # ONNX flattens C, H, W
    want = softmax(flat @ fc.astype(np.float64) + fc_bias)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
