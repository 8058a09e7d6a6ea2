"""Closed loop through the real node graph (`make run`): on a fresh state root the stack installs the
shipped sample model (`Sample_sim_loop_model`, listed as Ready); loaded through the console API with
max speed 50 %, it drives a lap of the simulated loop without leaving the track; with the steering
calibration deliberately skewed, the same model visibly fails.

camera frames (sim) -> camera_node -> sensor_fusion -> inference (OpenVINO) -> navigation -> ctrl ->
servo_node -> sysfs PWM -> the simulated car -> the next camera frame."""

from __future__ import annotations

import os
import signal

import pytest

from tests.support.ros import wait_until
from tests.support.stack import SimStack

SAMPLE = "Sample_sim_loop_model"  # sample_models/sim_loop_model.tar.gz, installed by `deepracer run`
LAP_LIMIT_S = 40.0  # a lap is ~7.5 s at 1 m/s; the limit leaves room for a loaded machine
SKEWED_ANGLE_UI = {"mid": -25, "min": -30, "max": -15, "polarity": 1}  # 1.25 / 1.2 / 1.35 ms: always right


def _ok(reply) -> dict:
    body = reply.json()
    assert body.get("success") is True, body
    return body


def _sim_status(client) -> dict:
    body = client.get("/api/sim/status").json()
    assert body["success"] is True, body
    return body


def _reset_car(stack: SimStack, client) -> None:
    """Start line, new session (the simulator's SIGUSR1)."""
    os.kill(stack.process_pids()["sim"], signal.SIGUSR1)
    wait_until(lambda: (s := _sim_status(client))["laps"] == 0 and s["off_track"] == 0 and len(s["trail"]) <= 2,
               10, "the simulated car back on the start line")


def _set_angle_calibration(client, values: dict) -> None:
    _ok(client.get("/api/set_calibration_mode"))
    _ok(client.post("/api/set_calibration/angle", json=values))
    got = _ok(client.get("/api/get_calibration/angle"))
    assert {k: got[k] for k in ("mid", "min", "max")} == {k: values[k] for k in ("mid", "min", "max")}


def _drive_autonomously(client) -> None:
    _ok(client.post("/api/drive_mode", json={"drive_mode": "auto"}))
    _ok(client.post("/api/max_nav_throttle", json={"throttle": 50}))
    _ok(client.post("/api/start_stop", json={"start_stop": "start"}))


def _stop(client) -> None:
    _ok(client.post("/api/start_stop", json={"start_stop": "stop"}))


@pytest.fixture(scope="module")
def loaded(sim_stack: SimStack):
    before = sim_stack.car_settings()   # put back exactly afterwards (module scope: not sim_car_settings)
    client = sim_stack.login()
    # the stack started on a fresh state root: the sample was installed then, nothing was uploaded
    assert f"Sample model installed: {SAMPLE}" in sim_stack.output()
    rows = {row["name"]: row for row in client.get("/api/uploaded_model_list").json()}
    assert rows[SAMPLE]["status"] == "Ready" and rows[SAMPLE]["is_sample"] is True, rows
    models = client.get("/api/models").json()["models"]
    assert [m["model_folder_name"] for m in models].count(SAMPLE) == 1
    name = SAMPLE
    _ok(client.post("/api/drive_mode", json={"drive_mode": "auto"}))  # models load in autonomous mode
    _ok(client.put(f"/api/models/{name}/model"))
    wait_until(lambda: client.get("/api/isModelLoading").json().get("isModelLoading") == "loaded", 60,
               "the sample model to load")
    try:
        yield client
    finally:
        try:
            _stop(client)
            _ok(client.post("/api/drive_mode", json={"drive_mode": "manual"}))
            sim_stack.restore_car_settings(before)
            _reset_car(sim_stack, client)
        finally:
            client.close()


def test_sample_model_laps_the_loop_through_the_node_graph(sim_stack: SimStack, loaded):
    client = loaded
    _reset_car(sim_stack, client)
    _drive_autonomously(client)
    try:
        def lap_done() -> dict | None:
            status = _sim_status(client)
            assert status["off_track"] == 0, f"left the track: {status}"
            return status if status["laps"] >= 1 else None

        status = wait_until(lap_done, LAP_LIMIT_S, "a lap of the loop")
    finally:
        _stop(client)
    assert status["off_track"] == 0
    assert 5.0 < status["last_lap_s"] < LAP_LIMIT_S   # (and wait_until above bounded it by LAP_LIMIT_S)
    # the car stops when told to
    wait_until(lambda: abs(_sim_status(client)["speed"]) < 0.02, 5, "the car to stop after Stop")


def test_skewed_steering_calibration_makes_it_fail(sim_stack: SimStack, loaded):
    client = loaded
    _stop(client)
    _set_angle_calibration(client, SKEWED_ANGLE_UI)
    _reset_car(sim_stack, client)
    _drive_autonomously(client)
    try:
        status = wait_until(lambda: (s := _sim_status(client))["off_track"] >= 1 and s, 20,
                            "the badly calibrated car to leave the track")
    finally:
        _stop(client)
    assert status["laps"] == 0
