"""OpenVINO runs frozen DeepRacer graphs built without TensorFlow and matches an independent numpy network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from inference.engine import InferenceEngine
from inference.tfgraph import graph_placeholders, read_graph
from tests.inference.helpers import build_model

VARIANTS = {
    "ppo_discrete_camera": dict(sensors=("FRONT_FACING_CAMERA",), training_algorithm="clipped_ppo",
                                action_space_type="discrete", num_actions=7),
    "ppo_continuous_observation": dict(sensors=("observation",), training_algorithm="clipped_ppo",
                                       action_space_type="continuous"),
    "sac_left_camera": dict(sensors=("LEFT_CAMERA",), training_algorithm="sac", action_space_type="continuous"),
    "ppo_stereo": dict(sensors=("STEREO_CAMERAS",), training_algorithm="clipped_ppo", action_space_type="discrete",
                       num_actions=5),
    "ppo_stereo_lidar": dict(sensors=("STEREO_CAMERAS", "LIDAR"), training_algorithm="clipped_ppo",
                             action_space_type="discrete", num_actions=5, lidar_size=64),
    "sac_camera_sector_lidar": dict(sensors=("FRONT_FACING_CAMERA", "SECTOR_LIDAR"), training_algorithm="sac",
                                    action_space_type="continuous", lidar_size=8),
}


def _sample(spec, sensor: str, rng: np.random.Generator) -> np.ndarray:
    shape = spec.input_shape(sensor)
    if len(shape) == 1:
        return rng.uniform(0.15, 1.0, size=shape).astype(np.float32)
    return rng.integers(0, 256, size=shape).astype(np.float32)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_openvino_matches_numpy(variant: str, tmp_path: Path) -> None:
    model = build_model(seed=7, **VARIANTS[variant])
    spec = model.spec
    pb = tmp_path / "model.pb"
    pb.write_bytes(model.graph)
    engine = InferenceEngine.load(pb)

    head = "policy" if spec.training_algorithm == "sac" else "main"
    expected_names = {f"main_level/agent/{head}/online/network_0/{s}/{s}" for s in spec.sensors}
    assert {i.name for i in engine.inputs} == expected_names
    assert set(graph_placeholders(read_graph(model.graph))) == expected_names
    assert engine.prepared.output == spec.output_name
    assert engine.precision == "f32"

    rng = np.random.default_rng(3)
    for _ in range(3):
        sample = {s: _sample(spec, s, rng) for s in spec.sensors}
        got = engine.infer({s: a[None] for s, a in sample.items()})
        want = model.reference(sample)
        assert got.shape == (spec.outputs,)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
        if spec.action_space_type == "discrete":
            assert abs(float(got.sum()) - 1.0) < 1e-5


def test_outputs_depend_on_the_image(tmp_path: Path) -> None:
    model = build_model(seed=1, sensors=("FRONT_FACING_CAMERA",), num_actions=5)
    (tmp_path / "model.pb").write_bytes(model.graph)
    engine = InferenceEngine.load(tmp_path / "model.pb")
    dark = np.zeros((1, 120, 160, 1), np.float32)
    bright = np.full((1, 120, 160, 1), 255.0, np.float32)
    assert not np.allclose(engine.infer({"FRONT_FACING_CAMERA": dark}), engine.infer({"FRONT_FACING_CAMERA": bright}))


def test_full_size_camera_model_is_about_23_mb() -> None:
    from inference.tfgraph import ShallowNetworkSpec

    spec = ShallowNetworkSpec(sensors=("FRONT_FACING_CAMERA",))
    params = sum(int(np.prod(s)) for s in spec.weight_shapes().values())
    assert spec.conv_output_size() == 11 * 16 * 64
    assert 22e6 < params * 4 < 24e6
