"""ctrl after a restart of a process it depends on, or of itself (no ROS; the whole stack is in
tests/sim/test_restarts_restore_pipeline.py): restart detection from endpoint GIDs, the stop, the model
loaded again, and what a restarted ctrl carries on with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from ctrl_pkg.restarts import RestartTracker
from ctrl_pkg.state_machine import AUTONOMOUS, MANUAL, CtrlStateMachine, ModelLoadRequest

from launcher.graph import Graph
from launcher.supervisor import Supervisor
from runtime import run_state
from tests.actuation.test_ctrl_state_machine import FakePorts


def gid(process: int, entity: int) -> bytes:
    """A 16-byte endpoint GID: a 12-byte participant (process) prefix and a 4-byte entity id."""
    return process.to_bytes(12, "big") + entity.to_bytes(4, "big")


OLD, NEW, NEWER = 1, 2, 3
NAMES = ("optimizer", "inference", "navigation", "camera")


def inference_process(process: int) -> dict[str, list[bytes]]:
    return {"optimizer": [gid(process, 1)], "inference": [gid(process, 2)], "navigation": [gid(process, 3)]}


def test_first_appearance_is_no_restart() -> None:
    tracker = RestartTracker(NAMES)
    changes = tracker.update({**inference_process(OLD), "camera": [gid(9, 1)]})
    assert changes.appeared == set(NAMES) and not changes.restarted
    assert all(tracker.available(name) for name in NAMES)
    assert not tracker.update({**inference_process(OLD), "camera": [gid(9, 1)]}).appeared  # nothing new


def test_a_replacement_restarts_every_dependency_its_dead_process_served_once() -> None:
    tracker = RestartTracker(NAMES)
    tracker.update(inference_process(OLD))
    # the killed process stays on the graph (DDS lease); its replacement's first service appears
    changes = tracker.update({"optimizer": [gid(OLD, 1), gid(NEW, 1)], "inference": [gid(OLD, 2)],
                              "navigation": [gid(OLD, 3)]})
    assert changes.restarted == {"optimizer", "inference", "navigation"}
    assert tracker.available("optimizer")
    # the services still served only by the dead process are not available: no request into a ghost
    assert not tracker.available("inference") and not tracker.available("navigation")
    # the replacement's other services appear: awaited, not another restart
    both = {name: [gid(OLD, i), gid(NEW, i)] for name, i in (("optimizer", 1), ("inference", 2), ("navigation", 3))}
    changes = tracker.update(both)
    assert changes.appeared == {"inference", "navigation"} and not changes.restarted
    assert all(tracker.available(name) for name in ("optimizer", "inference", "navigation"))
    # the ghost leaves the graph at the end of its lease: nothing to report
    assert tracker.update(inference_process(NEW)) == type(changes)()
    # and a further crash is a further restart
    changes = tracker.update({**inference_process(NEW), "inference": [gid(NEW, 2), gid(NEWER, 2)]})
    assert changes.restarted == {"optimizer", "inference", "navigation"}


def test_a_process_back_after_its_ghost_left_is_a_restart() -> None:
    tracker = RestartTracker(["camera"])
    tracker.update({"camera": [gid(OLD, 1)]})
    assert not tracker.update({"camera": []}).restarted      # down for longer than the lease
    assert not tracker.available("camera")
    changes = tracker.update({"camera": [gid(NEW, 1)]})
    assert changes.restarted == {"camera"} and changes.appeared == {"camera"}
    assert tracker.available("camera")


def request() -> ModelLoadRequest:
    return ModelLoadRequest(model_name="sim_loop_model/model", model_metadata_sensors=[1])


def run_now(target: Callable[[], object]) -> None:
    target()


def loaded_machine(ports: FakePorts, changes: list[int] | None = None) -> CtrlStateMachine:
    machine = CtrlStateMachine(ports, on_change=(lambda: changes.append(1)) if changes is not None else None)
    machine.set_vehicle_state(AUTONOMOUS)
    assert machine.start_model_load(request(), spawn=run_now) == 0
    assert machine.model_loading_status() == "loaded"
    machine.set_enabled(True)
    ports.calls.clear()
    return machine


def test_a_restarted_pipeline_stops_autonomous_driving_and_a_restarted_console_any_driving() -> None:
    ports = FakePorts()
    machine = loaded_machine(ports)
    assert machine.stop_for_restart("camera", autonomous_only=True)
    assert not machine.active
    assert ("servo", 0.0, 0.0) in ports.calls and ("inference", False) in ports.calls
    assert not machine.stop_for_restart("camera", autonomous_only=True)  # already stopped
    machine.set_vehicle_state(MANUAL)
    machine.set_enabled(True)
    assert not machine.stop_for_restart("camera", autonomous_only=True)  # manual driving goes on
    assert machine.active
    assert machine.stop_for_restart("the console", autonomous_only=False)
    assert not machine.active


def test_a_lost_model_is_loading_until_it_loaded_again_and_then_waits_for_start() -> None:
    ports = FakePorts()
    machine = loaded_machine(ports)
    machine.stop_for_restart("inference", autonomous_only=True)
    assert machine.model_lost()
    assert machine.model_loading_status() == "loading"   # never "loaded" while nothing is loaded
    assert machine.reload_pending
    ports.calls.clear()
    assert machine.reload_if_pending(spawn=run_now)
    assert [c[0] for c in ports.calls] == ["inference_state", "optimize", "load_model", "load_action_space",
                                           "inference_state"]
    assert ports.calls[-1] == ("inference_state", False)  # stopped: it runs only after an explicit start
    assert machine.model_loading_status() == "loaded"
    assert not machine.reload_if_pending(spawn=run_now)


def test_no_model_no_reload() -> None:
    machine = CtrlStateMachine(FakePorts())
    machine.set_vehicle_state(AUTONOMOUS)
    assert not machine.model_lost()
    assert not machine.inference_refused()
    assert machine.model_loading_status() == "error"


def test_inference_without_a_model_at_start_while_loaded_loads_it_again() -> None:
    ports = FakePorts()
    machine = loaded_machine(ports)
    assert machine.inference_refused()
    assert machine.model_loading_status() == "loading" and machine.reload_pending
    assert not machine.inference_refused()  # already on its way


def test_a_new_load_request_replaces_a_pending_reload() -> None:
    ports = FakePorts()
    machine = loaded_machine(ports)
    machine.model_lost()
    other = ModelLoadRequest(model_name="other/model")
    assert machine.start_model_load(other, spawn=run_now) == 0
    assert not machine.reload_pending
    assert machine.intent()["model"]["model_name"] == "other/model"


def test_intent_round_trip_comes_back_stopped_with_the_model_to_load() -> None:
    changes: list[int] = []
    machine = loaded_machine(FakePorts(), changes)
    assert changes  # mode and model changes are reported for saving
    intent = machine.intent()
    assert intent["state"] == AUTONOMOUS and intent["model"]["model_name"] == "sim_loop_model/model"

    ports = FakePorts()
    restarted = CtrlStateMachine(ports)
    assert "sim_loop_model/model" in restarted.restore(intent)
    assert restarted.state == AUTONOMOUS and not restarted.active
    assert restarted.model_loading_status() == "loading"
    assert restarted.reload_if_pending(spawn=run_now)
    assert restarted.model_loading_status() == "loaded"
    assert ports.calls[-1] == ("inference_state", False)


def test_a_failed_load_is_not_restored() -> None:
    ports = FakePorts()
    ports.errors["optimize"] = 1
    machine = CtrlStateMachine(ports)
    machine.set_vehicle_state(AUTONOMOUS)
    machine.start_model_load(request(), spawn=run_now)
    assert machine.model_loading_status() == "error"
    assert machine.intent()["model"] is None
    assert not machine.model_lost()


@pytest.mark.parametrize("model", [
    {"model_name": 5}, {"model_name": "m", "width": "160"}, {"model_name": "m", "model_metadata_sensors": ["1"]},
    {"model_name": "m", "unknown": 1}, "sim_loop_model", None,
])
def test_restore_ignores_a_damaged_model_record(model: object) -> None:
    machine = CtrlStateMachine(FakePorts())
    machine.restore({"state": AUTONOMOUS, "model": model})
    assert machine.state == AUTONOMOUS
    assert not machine.reload_pending and machine.model_loading_status() == "error"


def test_run_state_comes_back_only_in_the_same_launcher_run(state_dir: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(run_state.RUN_ID_ENV, raising=False)
    assert not run_state.save("ctrl", {"state": 1})   # no launcher run: nothing is kept
    assert run_state.load("ctrl") is None
    monkeypatch.setenv(run_state.RUN_ID_ENV, "run-1")
    assert run_state.save("ctrl", {"state": 1})
    assert run_state.load("ctrl") == {"state": 1}
    monkeypatch.setenv(run_state.RUN_ID_ENV, "run-2")  # a new `deepracer run` (or a reboot)
    assert run_state.load("ctrl") is None
    (state_dir / "run" / "ctrl.json").write_text("{not json")
    assert run_state.load("ctrl") is None


def test_each_supervisor_gives_its_processes_a_new_run_id(tmp_path: Path) -> None:
    graph = Graph(processes=(), sim=True)
    first = Supervisor(graph, tmp_path / "logs", tmp_path / "run", env={})
    second = Supervisor(graph, tmp_path / "logs", tmp_path / "run", env={run_state.RUN_ID_ENV: "stale"})
    assert first.env[run_state.RUN_ID_ENV] and second.env[run_state.RUN_ID_ENV] not in ("stale", first.env[
        run_state.RUN_ID_ENV])


def test_a_reload_the_new_process_does_not_answer_is_tried_again_then_reported() -> None:
    ports = FakePorts()
    machine = loaded_machine(ports)
    machine.model_lost()
    ports.raise_on = "optimize"          # the restarted process does not answer (yet)
    for _ in range(2):
        assert machine.reload_if_pending(spawn=run_now)
        assert machine.model_loading_status() == "loading" and machine.reload_pending
    assert machine.reload_if_pending(spawn=run_now)    # the third and last try
    assert not machine.reload_pending and machine.model_loading_status() == "error"   # given up: said so
    # a model the new process refuses is not tried again: that will not go away
    ports.raise_on = None
    machine = loaded_machine(ports)
    machine.model_lost()
    ports.errors["load_model"] = 1
    assert machine.reload_if_pending(spawn=run_now)
    assert machine.model_loading_status() == "error" and not machine.reload_pending
