"""ctrl state machine (no ROS): states, activation side effects, forwarding, e-stop latch, model loading."""

from __future__ import annotations

from typing import Any

import pytest
from ctrl_pkg.state_machine import (
    AUTONOMOUS,
    CALIBRATION,
    MANUAL,
    CtrlStateMachine,
    ModelLoadRequest,
    ServiceError,
)

from runtime.steps import Done, Pending


class FakePorts:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.errors: dict[str, int] = {}
        self.raise_on: str | None = None
        self.artifact = "/opt/aws/deepracer/artifacts/m/model.xml"
        self.hook: Any = None

    def publish_servo(self, angle: float, throttle: float, stamp_ns: int = 0) -> None:
        self.calls.append(("servo", angle, throttle) + ((stamp_ns,) if stamp_ns else ()))

    def publish_raw(self, angle: float, throttle: float) -> None:
        self.calls.append(("raw", angle, throttle))

    def request_servo_power(self, enabled: bool) -> None:
        self.calls.append(("power", enabled))

    def request_inference(self, start: bool) -> None:
        self.calls.append(("inference", start))

    def _answer(self, name: str, *args: Any) -> int:
        """A service answered at once (its error code), or ServiceError when `raise_on` names it."""
        self.calls.append((name, *args))
        if self.hook:
            self.hook(name)
        if self.raise_on == name:
            raise ServiceError(f"service {name} is not available")
        return self.errors.get(name, 0)

    def _done(self, name: str, *args: Any) -> Pending[int]:
        try:
            return Done(self._answer(name, *args))
        except ServiceError as exc:
            return Done(error=exc)

    def inference_state(self, start: bool) -> Pending[int]:
        return self._done("inference_state", start)

    def optimize_model(self, request: ModelLoadRequest) -> Pending[tuple[str, int]]:
        try:
            error = self._answer("optimize", request.model_name)
        except ServiceError as exc:
            return Done(error=exc)
        return Done(((self.artifact if error == 0 else ""), error))

    def load_model(self, artifact_path: str, pre_process_type: int, action_space_type: int) -> Pending[int]:
        return self._done("load_model", artifact_path, pre_process_type, action_space_type)

    def load_action_space(self, artifact_path: str, pre_process_type: int, action_space_type: int) -> Pending[int]:
        return self._done("load_action_space", artifact_path, pre_process_type, action_space_type)


@pytest.fixture
def sm() -> tuple[CtrlStateMachine, FakePorts]:
    ports = FakePorts()
    return CtrlStateMachine(ports, clock=lambda: 0.0), ports


def test_starts_in_manual_and_does_not_drive_until_started(sm) -> None:
    machine, ports = sm
    assert (machine.state, machine.active, machine.estopped) == (MANUAL, False, False)
    assert not machine.forward_manual(0.0, 0.5)
    assert ports.calls == []


def test_start_powers_the_servo_and_forwards_manual(sm) -> None:
    machine, ports = sm
    assert machine.set_enabled(True) == 0
    assert ports.calls == [("power", True), ("servo", 0.0, 0.0)]
    assert machine.forward_manual(0.2, 0.4)
    assert not machine.forward_auto(0.1, 0.1) and not machine.forward_calibration(1.5e6, -1.0)
    assert ports.calls[-1] == ("servo", 0.2, 0.4)


def test_stop_and_mode_change_go_neutral_then_power_off(sm) -> None:
    machine, ports = sm
    machine.set_enabled(True)
    ports.calls.clear()
    machine.set_enabled(False)
    assert ports.calls == [("servo", 0.0, 0.0), ("power", False)]
    assert not machine.forward_manual(0.2, 0.4)
    machine.set_enabled(True)
    ports.calls.clear()
    assert machine.set_vehicle_state(AUTONOMOUS) == 0
    assert ports.calls == [("servo", 0.0, 0.0), ("power", False)]
    assert (machine.state, machine.active) == (AUTONOMOUS, False)


def test_autonomous_start_and_stop_drive_inference(sm) -> None:
    machine, ports = sm
    machine.set_vehicle_state(AUTONOMOUS)
    ports.calls.clear()
    machine.set_enabled(True)
    assert ports.calls == [("power", True), ("inference", True)]
    assert machine.forward_auto(0.5, 0.3) and not machine.forward_manual(0.5, 0.3)
    ports.calls.clear()
    machine.set_enabled(False)
    assert ports.calls == [("servo", 0.0, 0.0), ("inference", False), ("power", False)]


def test_calibration_forwards_raw_only(sm) -> None:
    machine, ports = sm
    machine.set_vehicle_state(CALIBRATION)
    machine.set_enabled(True)
    assert machine.in_calibration()
    assert machine.forward_calibration(1_600_000.0, -1.0)
    assert ports.calls[-1] == ("raw", 1_600_000.0, -1.0)
    assert not machine.forward_manual(0.0, 1.0)


def test_unknown_state_changes_nothing(sm) -> None:
    machine, ports = sm
    machine.set_enabled(True)
    ports.calls.clear()
    assert machine.set_vehicle_state(3) == 1
    assert ports.calls == [] and machine.active and machine.state == MANUAL


def test_emergency_stop_is_latched_until_an_explicit_start(sm) -> None:
    machine, ports = sm
    machine.set_enabled(True)
    ports.calls.clear()
    message = machine.emergency_stop()
    assert "enable_state" in message
    assert ports.calls == [("servo", 0.0, 0.0), ("power", False)]
    assert machine.estopped and not machine.forward_manual(0.0, 0.5)
    machine.set_vehicle_state(AUTONOMOUS)          # a mode change does not clear it
    machine.set_vehicle_state(MANUAL)
    assert machine.estopped and not machine.forward_manual(0.0, 0.5)
    machine.set_enabled(False)                     # neither does a stop
    assert machine.estopped
    machine.set_enabled(True)                      # the explicit start does
    assert not machine.estopped and machine.forward_manual(0.0, 0.5)


def test_autonomous_commands_keep_their_capture_stamp(sm) -> None:
    machine, ports = sm
    machine.set_vehicle_state(AUTONOMOUS)
    machine.set_enabled(True)
    ports.calls.clear()
    assert machine.forward_auto(0.3, 0.4, 123_456_789_000)
    assert machine.forward_auto(0.1, 0.2)                         # a command without a stamp (0)
    assert ports.calls == [("servo", 0.3, 0.4, 123_456_789_000), ("servo", 0.1, 0.2)]


def request() -> ModelLoadRequest:
    return ModelLoadRequest(model_name="Sample_single_cam/model", model_metadata_sensors=[1],
                            training_algorithm=1, action_space_type=1, pre_process_type=1)


def run_inline(machine: CtrlStateMachine) -> Any:
    return lambda target: target()


def test_model_load_sequence(sm) -> None:
    machine, ports = sm
    assert machine.start_model_load(request()) == 1          # manual mode: refused
    machine.set_vehicle_state(AUTONOMOUS)
    assert machine.model_loading_status() == "error"         # nothing loaded yet
    ports.calls.clear()
    assert machine.start_model_load(request(), spawn=run_inline(machine)) == 0
    assert machine.model_loading_status() == "loaded"
    artifact = ports.artifact
    assert ports.calls == [("inference_state", False), ("optimize", "Sample_single_cam/model"),
                           ("load_model", artifact, 1, 1), ("load_action_space", artifact, 1, 1),
                           ("inference_state", False)]
    machine.set_vehicle_state(MANUAL)
    assert machine.model_loading_status() == "error"         # as the original: manual reports "error"


def test_loaded_model_runs_when_the_car_is_started(sm) -> None:
    machine, ports = sm
    machine.set_vehicle_state(AUTONOMOUS)
    machine.set_enabled(True)
    machine.start_model_load(request(), spawn=run_inline(machine))
    assert ports.calls[-1] == ("inference_state", True)


@pytest.mark.parametrize(("failing", "reached"), [
    ("inference_state", 1), ("optimize", 2), ("load_model", 3), ("load_action_space", 4)])
def test_a_failing_step_ends_in_error(sm, failing: str, reached: int) -> None:
    machine, ports = sm
    machine.set_vehicle_state(AUTONOMOUS)
    ports.calls.clear()
    ports.errors[failing] = 1
    machine.start_model_load(request(), spawn=run_inline(machine))
    assert machine.model_loading_status() == "error"
    assert len(ports.calls) == reached


def test_an_unavailable_service_ends_in_error(sm) -> None:
    machine, ports = sm
    machine.set_vehicle_state(AUTONOMOUS)
    ports.raise_on = "load_action_space"
    machine.start_model_load(request(), spawn=run_inline(machine))
    assert machine.model_loading_status() == "error"


def test_emergency_stop_during_a_load_keeps_inference_stopped(sm) -> None:
    machine, ports = sm
    machine.set_vehicle_state(AUTONOMOUS)
    machine.set_enabled(True)
    ports.hook = lambda name: machine.emergency_stop() if name == "load_action_space" else None
    machine.start_model_load(request(), spawn=run_inline(machine))
    assert machine.model_loading_status() == "loaded"
    assert ports.calls[-1] == ("inference_state", False)


def test_a_newer_request_supersedes_an_older_one(sm) -> None:
    machine, ports = sm
    machine.set_vehicle_state(AUTONOMOUS)
    ports.calls.clear()
    queued: list[Any] = []
    machine.start_model_load(request(), spawn=queued.append)                    # request 1
    newer = ModelLoadRequest(model_name="other/model")
    machine.start_model_load(newer, spawn=queued.append)                        # request 2
    queued[0]()                                                                 # 1 runs: superseded
    assert ports.calls == [] and machine.model_loading_status() == "loading"
    queued[1]()
    assert machine.model_loading_status() == "loaded"
    assert ("optimize", "other/model") in ports.calls
