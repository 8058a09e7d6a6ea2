"""model_state: the load sequence through the optimizer, inference and navigation services."""

from __future__ import annotations

from deepracer_interfaces_pkg.srv import (
    ActiveStateSrv,
    GetModelLoadingStatusSrv,
    ModelStateSrv,
)

from tests.actuation.fake_services import FakeInferenceStack
from tests.actuation.helpers import CORE, SimCar, register_graph
from tests.support.ros import RosTestNode, wait_until

GRAPH = register_graph("core", CORE)



def load_request() -> ModelStateSrv.Request:
    return ModelStateSrv.Request(
        model_name="Sample_single_cam/model", model_metadata_sensors=[1], training_algorithm=1,
        action_space_type=1, img_format="RGB", width=160, height=120, num_channels=1, lidar_channels=0,
        platform=1, task_type=0, pre_process_type=1)


def status(ros: RosTestNode) -> str:
    return ros.call(GetModelLoadingStatusSrv, "/ctrl_pkg/is_model_loading").model_loading_status


def test_models_load_only_in_autonomous_mode(ros: RosTestNode, car: SimCar, fake_inference: FakeInferenceStack) -> None:
    assert ros.call(ActiveStateSrv, "/ctrl_pkg/vehicle_state", ActiveStateSrv.Request(state=0)).error == 0
    fake_inference.clear()
    assert ros.call(ModelStateSrv, "/ctrl_pkg/model_state", load_request()).error == 1
    assert status(ros) == "error"
    # (leaving autonomous mode may still deliver its asynchronous "stop inference")
    assert not {"optimizer", "load_model", "load_action_space"} & set(fake_inference.names())


def test_load_sequence_calls_the_services_in_order(ros: RosTestNode, car: SimCar,
                                                   fake_inference: FakeInferenceStack) -> None:
    assert ros.call(ActiveStateSrv, "/ctrl_pkg/vehicle_state", ActiveStateSrv.Request(state=1)).error == 0
    fake_inference.clear()
    assert ros.call(ModelStateSrv, "/ctrl_pkg/model_state", load_request()).error == 0
    wait_until(lambda: status(ros) == "loaded", 20, "model loaded")
    assert fake_inference.names() == ["inference_state", "optimizer", "load_model", "load_action_space", "inference_state"]
    first, last = fake_inference.named("inference_state")
    assert (first.start, first.task_type) == (0, 0)
    assert last.start == 0                      # the car is stopped: the model waits for start
    optimize = fake_inference.named("optimizer")[0]
    assert optimize.model_name == "Sample_single_cam/model"
    assert list(optimize.model_metadata_sensors) == [1]
    assert (optimize.training_algorithm, optimize.img_format, optimize.width, optimize.height,
            optimize.num_channels, optimize.lidar_channels, optimize.platform) == (1, "RGB", 160, 120, 1, 0, 1)
    for name in ("load_model", "load_action_space"):
        request = fake_inference.named(name)[0]
        assert (request.artifact_path, request.task_type, request.pre_process_type, request.action_space_type) \
            == (fake_inference.artifact_path, 0, 1, 1)


def test_optimizer_failure_ends_in_error(ros: RosTestNode, car: SimCar, fake_inference: FakeInferenceStack) -> None:
    fake_inference.clear()
    fake_inference.errors["optimizer"] = 1
    try:
        assert ros.call(ModelStateSrv, "/ctrl_pkg/model_state", load_request()).error == 0
        wait_until(lambda: status(ros) == "error", 20, "load error reported")
        assert fake_inference.names() == ["inference_state", "optimizer"]
    finally:
        fake_inference.errors.clear()
