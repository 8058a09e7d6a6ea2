"""How frame0..4.png and reference.json were made (not run by the tests; kept to rebuild them).

1. Frames, with the project's environment (`. ./env.sh`): the simulator's front camera on the loop
   track at five poses:  python tests/inference/data/realgraph_untrained/make_reference.py frames
2. Reference outputs, in a separate environment with real TensorFlow (never a project dependency):
       python3 -m venv /tmp/tf && /tmp/tf/bin/pip install tensorflow-cpu==2.21.0 opencv-python-headless
       /tmp/tf/bin/python tests/inference/data/realgraph_untrained/make_reference.py tf <path to model.tar.gz>
   It preprocesses each frame as the car does (INTER_LINEAR resize to 160x120, BGR2GRAY, float32 0..255),
   adds an all-black and an all-white input, and runs the frozen graph with TensorFlow.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FRAMES = [f"frame{k}.png" for k in range(5)]
INPUT = "main_level/agent/main/online/network_0/FRONT_FACING_CAMERA/FRONT_FACING_CAMERA"
OUTPUT = "main_level/agent/main/online/network_1/ppo_head_0/policy"
POSES = [(0.30, -0.10), (0.22, 0.15), (0.45, -0.10), (0.62, 0.15), (0.85, -0.10)]  # lap fraction, yaw offset


def make_frames() -> None:
    import cv2

    from sim.world import Simulation

    sim = Simulation.create("loop", lidar=False)
    for name, (fraction, yaw_offset) in zip(FRAMES, POSES, strict=True):
        x, y, yaw = sim.track.pose_at(fraction * sim.track.length)
        sim.vehicle.place(x, y, yaw + yaw_offset)
        cv2.imwrite(str(HERE / name), sim.render(0), [cv2.IMWRITE_PNG_COMPRESSION, 9])


def make_reference(archive: Path) -> None:
    import cv2
    import numpy as np
    import tensorflow as tf

    with tarfile.open(archive) as tar:
        member = tar.extractfile("agent/model.pb")
        assert member is not None
        graph_bytes = member.read()
    inputs = []
    for name in FRAMES:
        image = cv2.imread(str(HERE / name), cv2.IMREAD_COLOR)
        small = cv2.resize(image, (160, 120), interpolation=cv2.INTER_LINEAR)
        inputs.append(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)[..., None])
    inputs += [np.zeros((120, 160, 1), np.float32), np.full((120, 160, 1), 255.0, np.float32)]
    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(graph_bytes)
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=graph) as session:
        outputs = [session.run(f"{OUTPUT}:0", {f"{INPUT}:0": x[None]})[0].tolist() for x in inputs]
    document = {
        "what": "TensorFlow outputs of the real rl_coach graph with untrained weights "
                "(../shared/reference/models/real_graph_untrained, see its SOURCES.md) for the inputs below",
        "archive_sha256": hashlib.sha256(archive.read_bytes()).hexdigest(),
        "model_pb_sha256": hashlib.sha256(graph_bytes).hexdigest(),
        "made_with": {"tensorflow": tf.__version__, "opencv": cv2.__version__, "numpy": np.__version__},
        "input": INPUT,
        "output": OUTPUT,
        "preprocess": "cv2.imread BGR 640x480 -> cv2.resize (160, 120) INTER_LINEAR -> BGR2GRAY -> float32",
        "inputs": [*FRAMES, "black (all 0)", "white (all 255)"],
        "outputs": outputs,
    }
    buffer = io.StringIO()
    json.dump(document, buffer, indent=1)
    (HERE / "reference.json").write_text(buffer.getvalue() + "\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["frames"]:
        make_frames()
    elif sys.argv[1:2] == ["tf"] and len(sys.argv) == 3:
        make_reference(Path(sys.argv[2]))
    else:
        sys.exit(__doc__)
