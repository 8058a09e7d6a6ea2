"""The car's camera path (community dialect: the camera's JPEG, decoded once, straight to the model's
grey by libjpeg's luma plane, INTER_LINEAR to 160x120) against the reference preprocessing (the
original's: a full colour decode, INTER_LINEAR resize to 160x120, BGR -> grey), through a trained model.

The frames are the simulator's camera on the loop track (640x480, tests/inference/data/realgraph_untrained,
see make_reference.py there), JPEG-encoded as the simulated camera sends them (quality 90); the model is
the shipped sample (sample_models/sim_loop_model.tar.gz), trained to drive that track with the
reference preprocessing, so its action probabilities react to these frames.

Bit-exact: a full-size colour decode (the frame at its own size, `colour="bgr"`) is exactly OpenCV's
`IMREAD_COLOR` decode that the reference starts from. Not bit-exact: the grey decode (libjpeg's luma
plane is not grey recomputed from rounded BGR, a rounding step apart); its effect on the action
probabilities stays within 1e-3 (measured 6.9e-4 on these frames). Measured and not used by inference:
libjpeg's 1/4 scaled decoding (a block average where INTER_LINEAR samples the block's middle) moves
them by up to 9.8e-3.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from inference.engine import InferenceEngine
from inference.models import import_model
from inference.preprocess import GREY, build_inputs, build_inputs_from_jpeg
from perception.images import decode_jpeg, encode_jpeg

REPO = Path(__file__).resolve().parents[2]
FRAMES = sorted((Path(__file__).parent / "data" / "realgraph_untrained").glob("frame*.png"))
TOLERANCE = 1e-3


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> InferenceEngine:
    installed = import_model(REPO / "sample_models" / "sim_loop_model.tar.gz", tmp_path_factory.mktemp("art"), "loop")
    return InferenceEngine.load(installed.graph)


@pytest.fixture(scope="module")
def jpegs() -> list[bytes]:
    assert len(FRAMES) == 5
    return [encode_jpeg(cv2.imread(str(path), cv2.IMREAD_COLOR), 90) for path in FRAMES]


def test_scaled_grey_decode_keeps_the_action_probabilities(engine: InferenceEngine, jpegs: list[bytes]) -> None:
    reference, car = [], []
    for jpeg in jpegs:
        full = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)     # what the original decoded
        reference.append(engine.infer(build_inputs(engine.inputs, [full], [], GREY)))
        car.append(engine.infer(build_inputs_from_jpeg(engine.inputs, [(jpeg, "jpeg")], [], GREY)))
    reference_probs, car_probs = np.array(reference), np.array(car)
    np.testing.assert_allclose(car_probs, reference_probs, rtol=0, atol=TOLERANCE)
    # the frames matter to the model (the comparison is not between two constant outputs)
    assert np.ptp(reference_probs, axis=0).max() > 100 * TOLERANCE


def test_which_decode_is_bit_exact(jpegs: list[bytes]) -> None:
    jpeg = jpegs[0]
    full = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    np.testing.assert_array_equal(decode_jpeg(jpeg, "bgr"), full)                # bit-exact
    reference = cv2.cvtColor(cv2.resize(full, (160, 120), interpolation=cv2.INTER_LINEAR), cv2.COLOR_BGR2GRAY)
    grey = decode_jpeg(jpeg, "grey", 160, 120)
    assert grey.shape == reference.shape == (120, 160)
    difference = np.abs(grey.astype(int) - reference.astype(int))
    assert difference.max() > 0                                                  # not bit-exact ...
    assert difference.mean() < 1.0                                               # ... a rounding step
