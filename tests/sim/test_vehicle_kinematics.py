"""The simulated car moves like a kinematic bicycle with the DeepRacer's wheelbase and steering lock."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.physics import Battery, PhysicalCar, Vehicle

CAR = PhysicalCar()
FULL_FORWARD = CAR.esc_forward_full_ns
HALF_FORWARD = (CAR.esc_neutral_ns + CAR.esc_forward_full_ns) // 2


def _drive(vehicle: Vehicle, throttle: int | None, steering: int | None, seconds: float, dt: float = 0.01):
    path = []
    for _ in range(int(round(seconds / dt))):
        vehicle.apply_pwm(throttle, steering)
        vehicle.step(dt)
        path.append((vehicle.state.x, vehicle.state.y))
    return np.array(path)


def _circle_radius(points: np.ndarray) -> float:
    """Least-squares circle fit."""
    x, y = points[:, 0], points[:, 1]
    a = np.column_stack([x, y, np.ones_like(x)])
    b = x**2 + y**2
    cx2, cy2, c = np.linalg.lstsq(a, b, rcond=None)[0]
    return float(math.sqrt(c + (cx2 / 2) ** 2 + (cy2 / 2) ** 2))


@pytest.mark.parametrize("duty, sign", [(CAR.servo_left_ns, 1), (CAR.servo_right_ns, -1)])
def test_full_lock_turning_radius_is_wheelbase_over_tan_30(duty, sign):
    veh = Vehicle()
    path = _drive(veh, HALF_FORWARD, duty, 6.0)
    radius = _circle_radius(path[200:])
    assert radius == pytest.approx(0.16 / math.tan(math.radians(30)), rel=0.01)
    # left lock turns counter-clockwise (yaw grows), right lock clockwise
    veh2 = Vehicle()
    _drive(veh2, HALF_FORWARD, duty, 0.5)
    assert math.copysign(1, veh2.state.yaw) == sign


def test_half_lock_radius_and_straight_line_at_neutral():
    half_left = (CAR.servo_centre_ns + CAR.servo_left_ns) // 2
    veh = Vehicle()
    path = _drive(veh, HALF_FORWARD, half_left, 8.0)
    assert _circle_radius(path[200:]) == pytest.approx(0.16 / math.tan(math.radians(15)), rel=0.01)
    straight = Vehicle()
    path = _drive(straight, HALF_FORWARD, CAR.servo_centre_ns, 2.0)
    assert np.abs(path[:, 1]).max() < 1e-9
    assert path[-1, 0] > 1.0


def test_first_order_speed_response_and_top_speed():
    veh = Vehicle()
    _drive(veh, FULL_FORWARD, CAR.servo_centre_ns, CAR.speed_tau)
    assert veh.state.speed == pytest.approx(CAR.top_speed * (1 - math.exp(-1)), rel=0.02)
    _drive(veh, FULL_FORWARD, CAR.servo_centre_ns, 10 * CAR.speed_tau)
    assert veh.state.speed == pytest.approx(CAR.top_speed, rel=0.01)
    # back to neutral: the car coasts to a stop with the same time constant
    _drive(veh, CAR.esc_neutral_ns, CAR.servo_centre_ns, 10 * CAR.speed_tau)
    assert abs(veh.state.speed) < 0.01 * CAR.top_speed


def test_top_speed_depends_on_the_battery():
    full, low = Vehicle(battery=Battery(soc=1.0)), Vehicle(battery=Battery(soc=0.2))
    for veh in (full, low):
        _drive(veh, FULL_FORWARD, CAR.servo_centre_ns, 3.0)
    assert full.state.speed == pytest.approx(CAR.top_speed, rel=0.01)
    assert low.state.speed < 0.85 * full.state.speed
    assert low.battery.register_value() < full.battery.register_value() == 0xEC


def test_battery_drains_faster_when_driving():
    idle, driving = Vehicle(), Vehicle()
    _drive(idle, CAR.esc_neutral_ns, CAR.servo_centre_ns, 5.0)
    _drive(driving, FULL_FORWARD, CAR.servo_centre_ns, 5.0)
    assert 1.0 > idle.battery.soc > driving.battery.soc
    # a full drive battery lasts the configured drive time at full throttle
    bat = Battery()
    bat.step(bat.drive_minutes * 60 * 0.5, 1.0)
    assert 0.45 < bat.soc < 0.5


def test_steering_servo_slews_at_a_finite_rate():
    veh = Vehicle()
    veh.apply_pwm(CAR.esc_neutral_ns, CAR.servo_left_ns)
    veh.step(0.01)
    assert math.degrees(veh.state.steer) == pytest.approx(CAR.steer_rate_deg_s * 0.01)
    for _ in range(20):
        veh.step(0.01)
    assert math.degrees(veh.state.steer) == pytest.approx(30.0)
