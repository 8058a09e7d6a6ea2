"""ROS: EvoSensorMsg in -> /deepracer_navigation_pkg/auto_drive out with the action the model picks.

The optimizer, inference and navigation nodes run in one process as the launcher's "inference" process;
the model is a real frozen graph installed with the model library; the expected action comes from the
independent numpy network (fed the grey plane the camera's JPEG decodes to) and the original
navigation formulas. The command carries the frame's capture stamp as `source_stamp`.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from builtin_interfaces.msg import Time
from ctrl_pkg.ctrl_node import command_qos
from deepracer_interfaces_pkg.msg import EvoSensorMsg, InferResultsArray, ServoCtrlMsg
from deepracer_interfaces_pkg.srv import InferenceStateSrv, LoadModelSrv, ModelOptimizeSrv, NavThrottleSrv
from sensor_msgs.msg import CompressedImage

from inference.models import import_model
from perception.images import decode_jpeg, encode_jpeg
from tests.inference.helpers import build_model, grey_image, model_archive
from tests.support.ros import node_processes, wait_until

pytestmark = pytest.mark.ros

ACTIONS = [{"steering_angle": -30, "speed": 0.5}, {"steering_angle": -10, "speed": 1.0},
           {"steering_angle": 0, "speed": 2.0}, {"steering_angle": 20, "speed": 1.0},
           {"steering_angle": 30, "speed": 0.5}]
MODEL = build_model(seed=21, action_space=ACTIONS, sensors=("FRONT_FACING_CAMERA",), num_actions=5)
THROTTLE_SCALE = 0.5


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    state = tmp_path_factory.mktemp("state")
    import_model(model_archive(tmp_path_factory.mktemp("upload") / "Racer.tar.gz", MODEL), state / "artifacts")
    with node_processes(tmp_path_factory.mktemp("logs")) as start:
        proc = start("tests.inference.inference_host", env={"DEEPRACER_STATE_DIR": str(state)})
        yield state, proc


def _expected(image: np.ndarray) -> tuple[np.ndarray, float, float]:
    """For a grey (H, W, 1..3) model input."""
    probs = MODEL.reference({"FRONT_FACING_CAMERA": image[:, :, :1].astype(np.float32)})
    action = ACTIONS[int(np.argmax(probs))]
    max_speed = max(a["speed"] for a in ACTIONS)
    a, b = -1.2 / max_speed**2, 2.2 / max_speed
    speed = action["speed"]
    return probs, action["steering_angle"] / 30.0, THROTTLE_SCALE * (a * speed**2 + b * speed)


def _distinct_frames() -> list[tuple[bytes, np.ndarray]]:
    """Two camera JPEGs (640x480, as the camera sends them) on which the model confidently picks
    different actions, each with the 160x120 grey plane it decodes to."""
    rng = np.random.default_rng(0)
    chosen: dict[int, tuple[bytes, np.ndarray]] = {}
    for _ in range(200):
        level, slope = rng.integers(0, 200), rng.uniform(-0.4, 0.4)
        image = grey_image(lambda h, w, level=level, slope=slope: np.clip(level + slope * np.arange(w)[None, :]
                                                                         + np.zeros((h, 1)), 0, 255), 480, 640)
        jpeg = encode_jpeg(image, 90)
        plane = decode_jpeg(jpeg, "grey", 160, 120)[:, :, None]
        probs = _expected(plane)[0]
        top = np.sort(probs)[-2:]
        if top[1] - top[0] > 0.02:
            chosen.setdefault(int(np.argmax(probs)), (jpeg, plane))
        if len(chosen) == 2:
            return list(chosen.values())
    raise AssertionError("no two images with different actions")


def _sensor_msg(jpeg: bytes, stamp: Time) -> EvoSensorMsg:
    img = CompressedImage(format="jpeg")
    img.header.stamp = stamp
    img.data = jpeg
    return EvoSensorMsg(images=[img], lidar_data=[])


def _call(ros_node, srv, name: str, timeout: float = 30.0, **fields):
    return ros_node.call(srv, name, srv.Request(**fields), timeout=timeout)


def _load(ros_node) -> None:
    opt = _call(ros_node, ModelOptimizeSrv, "/model_optimizer_pkg/model_optimizer_server", model_name="Racer/model",
                model_metadata_sensors=[5], training_algorithm=1, img_format="RGB", width=160, height=120,
                num_channels=1, lidar_channels=0, platform=1)
    assert opt.error == 0 and opt.artifact_path.endswith("artifacts/Racer/model.xml")
    request = dict(artifact_path=opt.artifact_path, task_type=0, pre_process_type=1, action_space_type=1)
    assert _call(ros_node, LoadModelSrv, "/inference_pkg/load_model", **request).error == 0
    assert _call(ros_node, LoadModelSrv, "/deepracer_navigation_pkg/load_action_space", **request).error == 0
    assert _call(ros_node, NavThrottleSrv, "/deepracer_navigation_pkg/navigation_throttle",
                 throttle=THROTTLE_SCALE).error == 0
    assert _call(ros_node, InferenceStateSrv, "/inference_pkg/inference_state", start=1, task_type=0).error == 0


def test_sensor_message_drives_with_the_models_action(stack, ros_node) -> None:
    _load(ros_node)
    drives = ros_node.collect(ServoCtrlMsg, "/deepracer_navigation_pkg/auto_drive", command_qos())  # as ctrl_node
    results = ros_node.collect(InferResultsArray, "/inference_pkg/rl_results", 10)
    publisher = ros_node.node.create_publisher(EvoSensorMsg, "/sensor_fusion_pkg/sensor_msg", 1)
    wait_until(lambda: publisher.get_subscription_count() > 0, 10, "inference_node subscribed to sensor_msg")

    for index, (jpeg, plane) in enumerate(_distinct_frames()):
        probs, angle, throttle = _expected(plane)
        stamp = Time(sec=1000 + index, nanosec=123_456)
        msg = _sensor_msg(jpeg, stamp)

        def arrived(stamp: Time = stamp, msg: EvoSensorMsg = msg) -> ServoCtrlMsg | None:
            match = next((m for m in drives if m.source_stamp == stamp), None)
            if match is None and time.monotonic() - arrived.sent > 1.0:  # type: ignore[attr-defined]
                publisher.publish(msg)  # best effort: a lost frame is simply sent again
                arrived.sent = time.monotonic()  # type: ignore[attr-defined]
            return match

        publisher.publish(msg)
        arrived.sent = time.monotonic()  # type: ignore[attr-defined]
        # the command for this frame carries its capture stamp (community dialect: source_stamp)
        command = wait_until(arrived, 20, f"auto_drive with the source_stamp of frame {index}")
        assert command.angle == pytest.approx(angle, abs=1e-6)
        assert command.throttle == pytest.approx(throttle, abs=1e-6)
        result = wait_until(lambda stamp=stamp: next((r for r in results if r.images
                                                     and r.images[0].header.stamp == stamp), None),
                            10, f"rl_results for frame {index}")
        assert [r.class_label for r in result.results] == list(range(5))
        np.testing.assert_allclose([r.class_prob for r in result.results], probs, rtol=1e-4, atol=1e-5)
        assert result.results[0].x_min == -1.0
        assert bytes(result.images[0].data) == jpeg and result.images[0].format == "jpeg"  # as it came


def test_sensor_messages_reach_inference_only_while_it_runs(stack, ros_node) -> None:
    """Stopped, inference has no sensor_msg subscription: an idle car sends its process no frames, and
    sensor fusion (publishing only to subscribers) builds none."""
    _load(ros_node)  # loaded and started
    publisher = ros_node.node.create_publisher(EvoSensorMsg, "/sensor_fusion_pkg/sensor_msg", 1)
    wait_until(lambda: publisher.get_subscription_count() == 1, 10, "inference subscribed while it runs")
    assert _call(ros_node, InferenceStateSrv, "/inference_pkg/inference_state", start=0, task_type=0).error == 0
    wait_until(lambda: publisher.get_subscription_count() == 0, 10, "no subscription once stopped")
    assert _call(ros_node, InferenceStateSrv, "/inference_pkg/inference_state", start=1, task_type=0).error == 0
    wait_until(lambda: publisher.get_subscription_count() == 1, 10, "subscribed again after Start")
    # loading a model stops inference: no subscription until the next Start
    request = dict(artifact_path=str(stack[0] / "artifacts" / "Racer" / "model.xml"), task_type=0,
                   pre_process_type=1, action_space_type=1)
    assert _call(ros_node, LoadModelSrv, "/inference_pkg/load_model", **request).error == 0
    wait_until(lambda: publisher.get_subscription_count() == 0, 10, "no subscription after a load")


def test_load_errors_are_reported_not_swallowed(stack, ros_node) -> None:
    optimize = dict(model_metadata_sensors=[5], training_algorithm=1, img_format="RGB", width=160, height=120,
                    num_channels=1, lidar_channels=0, platform=1)
    missing = _call(ros_node, ModelOptimizeSrv, "/model_optimizer_pkg/model_optimizer_server",
                    model_name="Ghost/model", **optimize)
    assert missing.error == 2 and missing.artifact_path == ""
    escape = _call(ros_node, ModelOptimizeSrv, "/model_optimizer_pkg/model_optimizer_server",
                   model_name="../../etc/model", **optimize)
    assert escape.error == 1 and escape.artifact_path == ""

    load = dict(task_type=0, pre_process_type=1, action_space_type=1)
    detection = _call(ros_node, LoadModelSrv, "/inference_pkg/load_model",
                      **(load | {"artifact_path": "/x/model.xml", "task_type": 1}))
    assert detection.error == 5
    bad_pre = _call(ros_node, LoadModelSrv, "/inference_pkg/load_model",
                    **(load | {"artifact_path": "/x/model.xml", "pre_process_type": 5}))
    assert bad_pre.error == 1
    gone = _call(ros_node, LoadModelSrv, "/inference_pkg/load_model",
                 **(load | {"artifact_path": str(stack[0] / "artifacts" / "Ghost" / "model.xml")}))
    assert gone.error == 2
    # the failed load left no model: starting inference is refused
    assert _call(ros_node, InferenceStateSrv, "/inference_pkg/inference_state", start=1, task_type=0).error == 1
    assert _call(ros_node, NavThrottleSrv, "/deepracer_navigation_pkg/navigation_throttle", throttle=1.5).error == 1
    nav = _call(ros_node, LoadModelSrv, "/deepracer_navigation_pkg/load_action_space",
                **(load | {"artifact_path": str(stack[0] / "artifacts" / "Ghost" / "model.xml")}))
    assert nav.error == 1
    assert "Ghost" in Path(stack[1].log_path).read_text()
