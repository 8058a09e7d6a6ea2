"""PWM pulses move the simulated car through its PHYSICAL truth, so calibration matters like on a real car."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from calibration.maths import DEFAULT_MOTOR as MOTOR
from calibration.maths import DEFAULT_SERVO as SERVO
from sim.closed_loop import duty_for
from sim.physics import PhysicalCar, Vehicle


def _drive(cal_servo, cal_motor, angle: float, throttle: float, seconds: float = 2.0,
           powered: bool = True) -> Vehicle:
    veh = Vehicle()
    for _ in range(int(seconds / 0.01)):
        veh.apply_pwm(duty_for(throttle, cal_motor), duty_for(angle, cal_servo), powered)
        veh.step(0.01)
    return veh


def test_default_calibration_drives_straight_and_forward():
    veh = _drive(SERVO, MOTOR, 0.0, 0.5)
    assert veh.state.x > 1.0
    assert abs(veh.state.y) < 1e-9 and abs(veh.state.yaw) < 1e-9


def test_motor_polarity_minus_one_means_throttle_positive_is_forward():
    assert duty_for(0.5, MOTOR) < MOTOR.mid
    assert _drive(SERVO, MOTOR, 0.0, 0.5).state.speed > 0
    assert _drive(SERVO, MOTOR, 0.0, -0.5).state.speed < 0
    # with the polarity flipped in the calibration file, "forward" drives backwards
    flipped = replace(MOTOR, polarity=1)
    assert _drive(SERVO, flipped, 0.0, 0.5).state.speed < 0


def test_angle_positive_steers_left_to_the_physical_lock():
    left = _drive(SERVO, MOTOR, 1.0, 0.3, seconds=0.5)
    right = _drive(SERVO, MOTOR, -1.0, 0.3, seconds=0.5)
    assert left.state.yaw > 0 > right.state.yaw
    assert math.degrees(left.state.steer) == pytest.approx(30.0)
    assert math.degrees(right.state.steer) == pytest.approx(-30.0)


def test_skewed_steering_mid_pulls_to_one_side():
    skewed = replace(SERVO, mid=SERVO.mid - 60000)  # "centre" really steers right
    veh = _drive(skewed, MOTOR, 0.0, 0.5, seconds=2.0)
    assert veh.state.yaw < -0.5
    assert veh.state.y < -0.2
    expected = 30.0 * 60000 / (SERVO.mid - SERVO.min)
    assert math.degrees(veh.state.steer) == pytest.approx(-expected, rel=1e-6)


def test_skewed_motor_mid_creeps_when_stopped():
    car = PhysicalCar()
    creeping = replace(MOTOR, mid=MOTOR.mid - 20000)  # "stop" is really a slow forward pulse
    veh = _drive(SERVO, creeping, 0.0, 0.0)
    assert veh.state.speed == pytest.approx(car.top_speed * 20000 / (car.esc_neutral_ns - car.esc_forward_full_ns),
                                            rel=0.01)
    # a slightly off neutral stays inside the ESC dead band: no motion
    small = replace(MOTOR, mid=MOTOR.mid - 2000)
    assert _drive(SERVO, small, 0.0, 0.0).state.speed == 0.0


def test_no_pulse_or_servo_power_off_means_no_drive():
    veh = Vehicle()
    for _ in range(100):
        veh.apply_pwm(None, None)
        veh.step(0.01)
    assert veh.state.speed == 0.0
    unpowered = _drive(SERVO, MOTOR, 0.0, 1.0, powered=False)
    assert unpowered.state.speed == 0.0
    # pulses far outside a servo's range (e.g. a tail-light duty) are ignored
    veh = Vehicle()
    veh.apply_pwm(10_000_000, 10_000_000)
    veh.step(0.1)
    assert veh.drive_cmd == 0.0 and veh.target_steer == 0.0
