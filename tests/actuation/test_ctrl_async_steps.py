"""ctrl's service chains without waiting (no ROS): the model load as done-callback steps, the newest load
winning while a step is in flight, the servo power requests, the checks of the forwarding services,
and the step driver itself (`runtime.steps`)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest
from ctrl_pkg.servo_power import ServoPower
from ctrl_pkg.state_machine import AUTONOMOUS, CALIBRATION, CtrlStateMachine, ModelLoadRequest, ServiceError

from runtime.steps import Done, run_steps, then, wait_for
from tests.actuation.test_ctrl_state_machine import FakePorts


class PendingPorts(FakePorts):
    """Ports whose service calls stay unanswered until the test answers them."""

    def __init__(self) -> None:
        super().__init__()
        self.inflight: list[tuple[str, Future[Any]]] = []

    def _call(self, name: str, *args: Any) -> Future[Any]:
        self.calls.append((name, *args))
        future: Future[Any] = Future()
        self.inflight.append((name, future))
        return future

    def inference_state(self, start: bool) -> Future[Any]:
        return self._call("inference_state", start)

    def optimize_model(self, request: ModelLoadRequest) -> Future[Any]:
        return self._call("optimize", request.model_name)

    def load_model(self, artifact_path: str, pre_process_type: int, action_space_type: int) -> Future[Any]:
        return self._call("load_model", artifact_path)

    def load_action_space(self, artifact_path: str, pre_process_type: int, action_space_type: int) -> Future[Any]:
        return self._call("load_action_space", artifact_path)

    def answer(self, value: Any = 0) -> str:
        """Answer the oldest unanswered call; its name."""
        name, future = self.inflight.pop(0)
        future.set_result(value)
        return name

    def names(self) -> list[str]:
        return [call[0] for call in self.calls if call[0] not in ("servo", "power", "inference")]


def make_machine() -> tuple[CtrlStateMachine, PendingPorts, list[tuple[str, str]]]:
    ports = PendingPorts()
    logs: list[tuple[str, str]] = []
    machine = CtrlStateMachine(ports, log=lambda level, message: logs.append((level, message)), clock=lambda: 0.0)
    machine.set_vehicle_state(AUTONOMOUS)
    ports.calls.clear()
    return machine, ports, logs


def answer_all(ports: PendingPorts) -> None:
    answers = {"optimize": ("/artifacts/m/model.xml", 0)}
    while ports.inflight:
        ports.answer(answers.get(ports.inflight[0][0], 0))


def test_the_load_returns_at_once_and_each_step_runs_when_the_previous_answers() -> None:
    machine, ports, _ = make_machine()
    assert machine.start_model_load(ModelLoadRequest(model_name="a/model")) == 0
    # the service call returned: step 1 is asked, nothing waits for its answer
    assert ports.names() == ["inference_state"] and machine.model_loading_status() == "loading"
    assert ports.answer(0) == "inference_state"
    assert ports.names()[-1] == "optimize"
    assert ports.answer(("/artifacts/a/model.xml", 0)) == "optimize"
    assert ports.answer(0) == "load_model"
    assert ports.answer(0) == "load_action_space"
    assert machine.model_loading_status() == "loading"
    assert ports.answer(0) == "inference_state"
    assert machine.model_loading_status() == "loaded"
    assert ports.names() == ["inference_state", "optimize", "load_model", "load_action_space", "inference_state"]


def test_the_newest_load_wins_while_a_step_is_in_flight() -> None:
    machine, ports, logs = make_machine()
    machine.start_model_load(ModelLoadRequest(model_name="first/model"))      # load 1
    ports.answer(0)                                                            # [1/5] done, optimizer asked
    machine.start_model_load(ModelLoadRequest(model_name="second/model"))     # load 2: waits for load 1
    machine.start_model_load(ModelLoadRequest(model_name="third/model"))      # load 3 replaces it
    assert ports.names() == ["inference_state", "optimize"]                  # nothing sent for 2 or 3
    assert ("warn", "model load 2: superseded by request 3 after waiting") in logs
    ports.answer(("/artifacts/first/model.xml", 0))                           # load 1's optimizer answers
    assert ("warn", "model load 1: superseded by request 3 after [2/5]") in logs
    # load 3 runs from its first step, and only load 3's model reaches inference
    assert ports.calls[-1] == ("inference_state", False)
    answer_all(ports)
    assert machine.model_loading_status() == "loaded"
    assert [c for c in ports.calls if c[0] == "optimize"] == [("optimize", "first/model"), ("optimize", "third/model")]
    assert all(c[1] == "/artifacts/m/model.xml" for c in ports.calls if c[0] in ("load_model", "load_action_space"))
    assert any(message == "model load 3: [5/5] inference ready" for _, message in logs)


def test_a_service_that_fails_mid_sequence_ends_in_error_and_the_next_load_runs() -> None:
    machine, ports, _ = make_machine()
    machine.start_model_load(ModelLoadRequest(model_name="a/model"))
    ports.answer(0)
    ports.inflight.pop(0)[1].set_exception(ServiceError("service optimizer did not answer within 300 s"))
    assert machine.model_loading_status() == "error" and not ports.inflight
    machine.start_model_load(ModelLoadRequest(model_name="a/model"))            # not stuck behind the failure
    assert ports.names()[-1] == "inference_state"
    answer_all(ports)
    assert machine.model_loading_status() == "loaded"


def test_checks_of_the_forwarding_services() -> None:
    logs: list[tuple[str, str]] = []
    machine = CtrlStateMachine(PendingPorts(), log=lambda level, message: logs.append((level, message)))
    refusal = machine.calibration_refusal("get_car_cal")
    assert refusal is not None and "calibration mode" in refusal and ("error", refusal) in logs
    machine.set_vehicle_state(CALIBRATION)
    assert machine.calibration_refusal("get_car_cal") is None
    assert machine.calibration_problem(1_600_000, 1_500_000, 1_400_000) is None
    problem = machine.calibration_problem(1_400_000, 1_500_000, 1_600_000)
    assert problem is not None and problem.startswith("set_car_cal: calibration rejected")
    assert machine.throttle_problem(0.0) is None and machine.throttle_problem(1.0) is None
    assert machine.throttle_problem(1.5) == "autonomous_throttle: 1.5 is outside 0.0..1.0"


class FakeGpio:
    def __init__(self) -> None:
        self.sent: list[tuple[bool, Future[int]]] = []
        self.later: list[Callable[[], None]] = []

    def send(self, enabled: bool) -> Future[int]:
        future: Future[int] = Future()
        self.sent.append((enabled, future))
        return future

    def run_later(self, _seconds: float, fn: Callable[[], None]) -> None:
        self.later.append(fn)


def test_servo_power_sends_one_request_at_a_time_and_ends_on_the_last_wanted_state() -> None:
    gpio = FakeGpio()
    logs: list[tuple[str, str]] = []
    power = ServoPower(gpio.send, gpio.run_later, lambda level, message: logs.append((level, message)))
    power.request(True)
    power.request(False)
    power.request(True)
    power.request(False)                       # the last word while "on" is still in flight
    assert [enabled for enabled, _ in gpio.sent] == [True]
    gpio.sent[0][1].set_result(0)
    assert power.applied is True and [enabled for enabled, _ in gpio.sent] == [True, False]
    gpio.sent[1][1].set_result(0)
    assert power.applied is False and len(gpio.sent) == 2      # nothing more to do


def test_servo_power_retries_a_failed_call_later() -> None:
    gpio = FakeGpio()
    logs: list[tuple[str, str]] = []
    power = ServoPower(gpio.send, gpio.run_later, lambda level, message: logs.append((level, message)))
    power.request(True)
    gpio.sent[0][1].set_exception(ServiceError("service /servo_pkg/servo_gpio is not available"))
    assert power.applied is None and len(gpio.later) == 1 and logs[0][0] == "warn"
    power.request(True)                        # asked again meanwhile: still waits for the retry
    assert len(gpio.sent) == 1
    gpio.later.pop()()
    assert len(gpio.sent) == 2
    gpio.sent[1][1].set_result(1)              # answered with an error: applied, and said
    assert power.applied is True and logs[-1] == ("error", "servo_gpio(enable) returned error 1")


def test_run_steps_resumes_on_each_answer_and_hands_failures_to_the_coroutine() -> None:
    first: Future[int] = Future()
    second: Future[int] = Future()
    seen: list[Any] = []

    async def steps() -> str:
        seen.append(await wait_for(first))
        try:
            await wait_for(second)
        except ServiceError as exc:
            seen.append(str(exc))
        seen.append(await wait_for(then(Done(20), lambda value: value + 1)))
        return "finished"

    done: list[Any] = []
    run_steps(steps(), on_done=done.append)
    assert seen == [] and not done
    first.set_result(7)
    assert seen == [7]
    second.set_exception(ServiceError("no answer"))
    assert seen == [7, "no answer", 21] and done == ["finished"]


def test_run_steps_reports_an_escaping_exception() -> None:
    async def broken() -> None:
        await wait_for(Done(1))
        raise ValueError("bad step")

    errors: list[BaseException] = []
    run_steps(broken(), on_error=errors.append)
    assert [str(e) for e in errors] == ["bad step"]
    with pytest.raises(ValueError):
        run_steps(broken())
