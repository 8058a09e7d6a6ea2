"""The shipped sample model drives the simulated loop on its own, through the real OpenVINO engine,
the inference pre-processing and the navigation maths (pure-library closed loop, simulated time);
with the steering calibration skewed, the same model cannot hold the track."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from calibration.files import DEFAULT_CALIBRATION
from inference.engine import InferenceEngine
from inference.models import import_model
from inference.navigation import load_action_space
from inference.preprocess import build_inputs
from sim.closed_loop import drive
from sim.world import Simulation
from vehicle.calibration import CalibrationRange

ARCHIVE = Path(__file__).resolve().parents[2] / "sample_models" / "sim_loop_model.tar.gz"
MAX_SPEED = 0.5  # the console's max speed 50 %
# steering calibration moved far to the right: "straight" is 24 degrees right, full left only 12 right
SKEWED = replace(DEFAULT_CALIBRATION, servo=CalibrationRange(max=1350000, mid=1250000, min=1200000, polarity=1))


@pytest.fixture(scope="module")
def policy(tmp_path_factory):
    result = import_model(ARCHIVE, tmp_path_factory.mktemp("artifacts"))
    engine = InferenceEngine.load(result.graph)
    space, error, message = load_action_space(result.graph, 1)
    assert error == 0, message

    def run(images: Sequence[np.ndarray]) -> tuple[float, float]:
        out = engine.infer(build_inputs(engine.inputs, list(images), []))
        return space.servo_command(list(enumerate(out.tolist())), MAX_SPEED)

    return run


def test_the_archive_is_small_and_in_the_original_format():
    assert ARCHIVE.stat().st_size < 3_000_000
    with tarfile.open(ARCHIVE) as tar:
        assert sorted(tar.getnames()) == ["agent/model.pb", "model_metadata.json"]
        meta = json.load(io.TextIOWrapper(tar.extractfile("model_metadata.json")))
    assert meta["sensor"] == ["FRONT_FACING_CAMERA"]
    assert meta["action_space_type"] == "discrete"
    assert meta["neural_network"] == "DEEP_CONVOLUTIONAL_NETWORK_SHALLOW"
    assert len(meta["action_space"]) >= 5


def test_sample_model_completes_laps_of_the_loop_without_leaving_it(policy):
    sim = Simulation.create("loop", lidar=False)
    drive(sim, policy, seconds=20.0, latency_steps=3)
    ref = sim.referee
    assert ref.off_track == 0, [e.kind for e in sim.events]
    assert ref.laps >= 2
    assert ref.last_lap_s < 10.0  # 7.45 m at about 1 m/s
    # it keeps near the centre line: the whole trail is well inside the borders
    trail = np.array(ref.trail)
    lateral = np.abs(sim.track.project(trail).lateral)
    assert lateral.max() < sim.track.width / 2 - 0.05


def test_with_skewed_steering_calibration_it_leaves_the_track(policy):
    sim = Simulation.create("loop", lidar=False)
    drive(sim, policy, seconds=20.0, calibration=SKEWED, latency_steps=3)
    ref = sim.referee
    assert ref.laps == 0
    assert ref.off_track >= 1
