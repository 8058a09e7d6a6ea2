"""The simulator drives the car from what the REAL PWM/GPIO drivers write into the simulated sysfs
tree: servo power (GPIO 436 low), ESC and steering duties on channels 0 and 1, tail light on 2-4."""

from __future__ import annotations

import math

import pytest

from drivers.gpio import SysfsGpio
from drivers.pwm import SERVO_POWER_GPIO, SysfsPwm
from sim.physics import PhysicalCar
from sim.status import read_leds, read_status
from tests.sim.conftest import start_world
from tests.support.ros import wait_until

CAR = PhysicalCar()


@pytest.fixture
def world(tmp_path, start_node):
    return start_world(start_node, tmp_path, ["--track", "loop", "--no-lidar", "--fps", "15"])


def _status(world):
    status = read_status(world.sim_dir)
    assert status is not None
    return status


def test_power_duty_and_steering_move_the_car(world):
    pwm = SysfsPwm(sysfs=world.sysfs)
    for channel in range(5):
        pwm.configure(channel)
    power = SysfsGpio(world.sysfs).pin(SERVO_POWER_GPIO)
    start = _status(world)["pose"]

    # duties written but the servo/ESC power still off (the tree starts with 436 = 1): nothing moves
    pwm.set_duty(0, CAR.esc_forward_full_ns)
    pwm.set_duty(1, CAR.servo_centre_ns)
    wait_until(lambda: _status(world)["lap_time_s"] == 0.0 and _status(world)["speed"] == 0.0, 2, "idle")
    assert _status(world)["pose"] == start

    # power on: full forward along the bottom straight (+x)
    power.write(0)
    wait_until(lambda: _status(world)["speed"] > 1.0, 3, "the car to accelerate")
    pose = _status(world)["pose"]
    assert pose["x"] > start["x"] and pose["y"] == pytest.approx(start["y"], abs=0.01)

    # full left lock: the heading turns counter-clockwise
    pwm.set_duty(0, (CAR.esc_neutral_ns + CAR.esc_forward_full_ns) // 2)
    pwm.set_duty(1, CAR.servo_left_ns)
    yaw0 = _status(world)["pose"]["yaw"]
    wait_until(lambda: math.sin(_status(world)["pose"]["yaw"] - yaw0) > 0.5, 3, "a left turn")

    # neutral pulse: the car coasts to a stop
    pwm.set_duty(0, CAR.esc_neutral_ns)
    wait_until(lambda: abs(_status(world)["speed"]) < 0.02, 3, "the car to stop")


def test_power_off_stops_the_car(world):
    pwm = SysfsPwm(sysfs=world.sysfs)
    for channel in (0, 1):
        pwm.configure(channel)
    power = SysfsGpio(world.sysfs).pin(SERVO_POWER_GPIO)
    power.write(0)
    pwm.set_duty(1, CAR.servo_centre_ns)
    pwm.set_duty(0, CAR.esc_forward_full_ns)
    wait_until(lambda: _status(world)["speed"] > 0.5, 3, "the car to drive")
    power.write(1)
    wait_until(lambda: abs(_status(world)["speed"]) < 0.02, 3, "the unpowered car to stop")


def test_tail_light_duties_are_visible(world):
    pwm = SysfsPwm(sysfs=world.sysfs)
    for channel in (2, 3, 4):
        pwm.configure(channel)
    pwm.set_duty(2, 10_000_000)  # LED_ON: red full
    pwm.set_duty(3, 0)
    pwm.set_duty(4, 5_000_000)
    wait_until(lambda: (read_leds(world.sim_dir) or {}).get("tail_light") == {"red": 255, "green": 0, "blue": 128},
               3, "the tail light colour in leds.json")
    SysfsGpio(world.sysfs).pin(450).write(1)  # power LED red channel
    wait_until(lambda: read_leds(world.sim_dir)["status_leds"]["power"] == [1, 0, 0], 3, "the power LED")


def test_sigusr1_puts_the_car_back_on_the_start_line(world):
    import signal

    start = _status(world)["pose"]
    pwm = SysfsPwm(sysfs=world.sysfs)
    for channel in (0, 1):
        pwm.configure(channel)
    SysfsGpio(world.sysfs).pin(SERVO_POWER_GPIO).write(0)
    pwm.set_duty(1, CAR.servo_right_ns)
    pwm.set_duty(0, CAR.esc_forward_full_ns)
    wait_until(lambda: _status(world)["off_track"] >= 1, 5, "the car to leave the track")
    pwm.set_duty(0, CAR.esc_neutral_ns)
    wait_until(lambda: abs(_status(world)["speed"]) < 0.001, 3, "the car to stop")
    world.proc.proc.send_signal(signal.SIGUSR1)

    def back() -> bool:
        s = _status(world)
        return (s["off_track"] == 0 and s["laps"] == 0 and len(s["trail"]) <= 2
                and all(abs(s["pose"][k] - start[k]) < 1e-3 for k in ("x", "y", "yaw")))

    wait_until(back, 3, "a fresh session with the car on the start line")
    assert "reset: the car is back on the start line" in world.proc.log_text()
