"""The simulator's referee: laps and lap times, off-track events (all four wheels out), resets."""

from __future__ import annotations

import pytest

from calibration.maths import DEFAULT_MOTOR as MOTOR
from calibration.maths import DEFAULT_SERVO as SERVO
from sim.closed_loop import duty_for
from sim.pure_pursuit import pure_pursuit_steering
from sim.world import Simulation


def _run(sim: Simulation, seconds: float, throttle: float = 0.5, steer=None, dt: float = 0.01):
    for _ in range(int(round(seconds / dt))):
        st = sim.vehicle.state
        angle = steer if steer is not None else pure_pursuit_steering(sim.track, st.x, st.y, st.yaw, sim.referee.s) / 30
        sim.step(dt, duty_for(throttle, MOTOR), duty_for(angle, SERVO))


def test_a_clean_lap_of_the_loop_is_counted_with_its_time():
    sim = Simulation.create("loop", render=False, lidar=False)
    _run(sim, 0.5, throttle=0.0)
    assert sim.referee.lap_time(sim.time) == 0.0  # the timer waits for the car to move
    _run(sim, 9.0)
    ref = sim.referee
    assert ref.laps == 1 and ref.off_track == 0
    # 0.5 throttle = 1 m/s on a full battery; the lap includes the start from standstill
    assert ref.last_lap_s == pytest.approx(sim.track.length / 1.0 + 0.25, abs=0.4)
    assert [e.kind for e in sim.events] == ["lap"]
    status = sim.status()
    assert status["laps"] == 1 and status["last_lap_s"] == pytest.approx(ref.last_lap_s, abs=1e-3)
    assert 0 < status["lap_time_s"] < 2.0
    assert len(status["trail"]) > 50


def test_driving_straight_through_a_turn_leaves_the_track_and_is_reset():
    sim = Simulation.create("loop", render=False, lidar=False, reset_after=1.0)
    _run(sim, 2.5, steer=0.0)  # no steering: straight off the end of the bottom straight
    ref = sim.referee
    assert ref.off_track == 1
    kinds = [e.kind for e in sim.events]
    assert kinds[0] == "off_track"
    # the car hit the barrier 2 ft further and stopped there, then was put back on the centreline
    assert "crash" in kinds or "reset" in kinds
    _run(sim, 1.5, throttle=0.0)
    assert "reset" in [e.kind for e in sim.events]
    proj = sim.track.project([sim.vehicle.centre()])
    assert abs(proj.lateral[0]) < 0.12
    assert sim.vehicle.state.speed == pytest.approx(0.0, abs=0.01)
    assert ref.on_track and ref.laps == 0


def test_open_track_lap_is_reaching_the_end_then_back_to_the_start():
    sim = Simulation.create("single_turn", render=False, lidar=False)
    _run(sim, 4.0)
    ref = sim.referee
    assert ref.laps >= 1 and ref.off_track == 0
    assert ref.last_lap_s == pytest.approx(sim.track.length + 0.25, abs=0.4)
    assert [e.kind for e in sim.events][:2] == ["lap", "reset"]


def test_obstacles_stop_the_car_and_count_as_leaving_the_track():
    sim = Simulation.create("loop", obstacles=1, render=False, lidar=False, reset_after=0.5)
    box = sim.track.obstacles[0]
    proj = sim.track.project([[box.x, box.y]])
    # drive along the box's lane, straight at it
    sim.referee.start(sim.vehicle, float(proj.s[0]) - 0.8)
    x, y, yaw = sim.track.pose_at(float(proj.s[0]) - 0.8, float(proj.lateral[0]))
    sim.vehicle.place(x, y, yaw)
    for _ in range(300):
        _run(sim, 0.01, steer=0.0)
        if any(e.kind == "reset" for e in sim.events):
            break
    kinds = [e.kind for e in sim.events]
    assert kinds == ["crash", "off_track", "reset"]
    assert sim.referee.off_track == 1
    # put back 40 cm before the box, standing still
    assert sim.track.progress_delta(sim.referee.s, float(proj.s[0])) == pytest.approx(0.4 + 0.1 + 0.07, abs=0.12)
    assert sim.vehicle.state.speed == 0.0
