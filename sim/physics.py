"""The simulated 1/18 car: PWM pulses in, motion out.

The car knows nothing of calibration.json. Like the real hardware, its steering servo and speed
controller (ESC) respond to pulse widths: the PHYSICAL neutral and end points are those of the
factory calibration ("provided by pegatron"), so a car whose calibration file says otherwise steers
off-centre or creeps, exactly as a badly calibrated real car does.

- Steering servo: 1.45 ms = wheels straight, 1.70 ms = full left (+30 deg), 1.20 ms = full right,
  linear on each side, mechanically limited to +-30 deg, slew-rate limited. Pulses outside 0.5-2.5 ms
  (or none) are ignored: the servo holds its position.
- ESC (motor polarity -1 in the factory calibration): 1.446 ms = neutral, shorter pulses drive forwards
  (1.311 ms = full forward), longer ones backwards (1.6035 ms = full reverse), small dead band around
  neutral; no pulse or servo power off (GPIO 436 = 1) = neutral.
- Kinematic bicycle model (reference point: rear axle centre), first-order speed response, top speed
  proportional to the battery voltage.

Pure Python/numpy, no ROS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from calibration.maths import DEFAULT_MOTOR, DEFAULT_SERVO, SAFE_PULSE_MAX_NS, SAFE_PULSE_MIN_NS
from drivers.battery import LEVEL_THRESHOLDS

# Fuel gauge register -> level thresholds of the battery node (0x8C = 0 ... 0xEC = 11), rising.
FUEL_GAUGE_CURVE = tuple(sorted(threshold for threshold, _ in LEVEL_THRESHOLDS))


@dataclass(frozen=True)
class PhysicalCar:
    """The physical truth of the simulated car (what the hardware does, not what calibration says)."""

    wheelbase: float = 0.16
    wheel_track: float = 0.15  # left-right distance between wheel contact points
    body_length: float = 0.30
    body_width: float = 0.20
    rear_overhang: float = 0.07  # body behind the rear axle
    max_steer_deg: float = 30.0
    steer_rate_deg_s: float = 450.0
    # the factory calibration is the car's truth: servo polarity +1 (max = left), ESC polarity -1
    servo_centre_ns: int = DEFAULT_SERVO.mid
    servo_left_ns: int = DEFAULT_SERVO.max
    servo_right_ns: int = DEFAULT_SERVO.min
    esc_neutral_ns: int = DEFAULT_MOTOR.mid
    esc_forward_full_ns: int = DEFAULT_MOTOR.min
    esc_reverse_full_ns: int = DEFAULT_MOTOR.max
    esc_deadband: float = 0.03  # fraction of full command
    pulse_min_ns: int = SAFE_PULSE_MIN_NS  # a hobby servo / ESC ignores pulses outside 0.5..2.5 ms
    pulse_max_ns: int = SAFE_PULSE_MAX_NS
    top_speed: float = 2.0  # m/s at full forward, full battery
    speed_tau: float = 0.25  # s, first-order response of the speed
    reverse_scale: float = 0.6  # the ESC limits reverse speed

    def steering_from_duty(self, duty_ns: int | None) -> float | None:
        """Commanded wheel angle (rad, > 0 = left) for a pulse width; None = no valid pulse."""
        if duty_ns is None or not (self.pulse_min_ns <= duty_ns <= self.pulse_max_ns):
            return None
        if duty_ns >= self.servo_centre_ns:
            frac = (duty_ns - self.servo_centre_ns) / (self.servo_left_ns - self.servo_centre_ns)
        else:
            frac = -(self.servo_centre_ns - duty_ns) / (self.servo_centre_ns - self.servo_right_ns)
        frac = max(-1.0, min(1.0, frac))
        return math.radians(self.max_steer_deg) * frac

    def drive_from_duty(self, duty_ns: int | None, powered: bool = True) -> float:
        """ESC command in [-1, 1] (> 0 = forward) for a pulse width; 0 without a valid pulse."""
        if not powered or duty_ns is None or not (self.pulse_min_ns <= duty_ns <= self.pulse_max_ns):
            return 0.0
        if duty_ns <= self.esc_neutral_ns:
            cmd = (self.esc_neutral_ns - duty_ns) / (self.esc_neutral_ns - self.esc_forward_full_ns)
        else:
            cmd = -(duty_ns - self.esc_neutral_ns) / (self.esc_reverse_full_ns - self.esc_neutral_ns)
        cmd = max(-1.0, min(1.0, cmd))
        return 0.0 if abs(cmd) < self.esc_deadband else cmd

    def turning_radius(self, steer_rad: float) -> float:
        """Radius of the rear axle centre's circle (inf when straight)."""
        return math.inf if abs(steer_rad) < 1e-9 else self.wheelbase / math.tan(abs(steer_rad))


@dataclass
class Battery:
    """Drive battery (2S LiPo) with a fuel gauge; drains with time and with motor load."""

    soc: float = 1.0  # state of charge 0..1
    idle_hours: float = 8.0  # full -> empty with the motor idle
    drive_minutes: float = 45.0  # full -> empty at full throttle
    drain_scale: float = 1.0  # > 1 to watch it drain in a demo

    def step(self, dt: float, load: float) -> None:
        rate = 1.0 / (self.idle_hours * 3600.0) + abs(load) / (self.drive_minutes * 60.0)
        self.soc = max(0.0, self.soc - rate * dt * self.drain_scale)

    @property
    def voltage(self) -> float:
        return 6.6 + 1.8 * self.soc  # 2S LiPo: 8.4 V full, 6.6 V empty

    @property
    def speed_factor(self) -> float:
        """Top speed relative to a full battery (motor speed ~ voltage)."""
        return self.voltage / 8.4

    def register_value(self) -> int:
        """Raw fuel-gauge register byte (what the battery node reads at 0x3F, register 0x03)."""
        levels = np.linspace(0.0, 1.0, len(FUEL_GAUGE_CURVE))
        return int(round(float(np.interp(self.soc, levels, FUEL_GAUGE_CURVE))))


@dataclass
class VehicleState:
    x: float = 0.0
    y: float = 0.0
    yaw: float = 0.0
    speed: float = 0.0  # m/s along the heading (negative = reversing)
    steer: float = 0.0  # current wheel angle, rad


@dataclass
class Vehicle:
    """Kinematic bicycle driven by PWM duties through the car's physical truth."""

    car: PhysicalCar = field(default_factory=PhysicalCar)
    state: VehicleState = field(default_factory=VehicleState)
    battery: Battery = field(default_factory=Battery)
    drive_cmd: float = 0.0
    target_steer: float = 0.0

    def apply_pwm(self, throttle_duty_ns: int | None, steering_duty_ns: int | None, powered: bool = True) -> None:
        """Feed the pulse widths of channel 0 (ESC) and channel 1 (servo)."""
        self.drive_cmd = self.car.drive_from_duty(throttle_duty_ns, powered)
        steer = self.car.steering_from_duty(steering_duty_ns) if powered else None
        if steer is not None:
            self.target_steer = steer

    def step(self, dt: float) -> None:
        car, st = self.car, self.state
        # servo slews towards its target
        max_delta = math.radians(car.steer_rate_deg_s) * dt
        st.steer += max(-max_delta, min(max_delta, self.target_steer - st.steer))
        # ESC + motor: first-order towards the commanded speed
        top = car.top_speed * self.battery.speed_factor
        target = self.drive_cmd * top * (car.reverse_scale if self.drive_cmd < 0 else 1.0)
        alpha = 1.0 - math.exp(-dt / car.speed_tau)
        v0 = st.speed
        st.speed = v0 + (target - v0) * alpha
        v = 0.5 * (v0 + st.speed)
        # kinematic bicycle about the rear axle (exact arc integration)
        yaw_rate = v * math.tan(st.steer) / car.wheelbase
        dyaw = yaw_rate * dt
        if abs(dyaw) < 1e-9:
            st.x += v * dt * math.cos(st.yaw)
            st.y += v * dt * math.sin(st.yaw)
        else:
            r = v / yaw_rate
            st.x += r * (math.sin(st.yaw + dyaw) - math.sin(st.yaw))
            st.y += -r * (math.cos(st.yaw + dyaw) - math.cos(st.yaw))
        st.yaw = (st.yaw + dyaw + math.pi) % (2 * math.pi) - math.pi
        self.battery.step(dt, self.drive_cmd)

    def stop(self) -> None:
        """Hit something: the car stops where it is."""
        self.state.speed = 0.0

    def place(self, x: float, y: float, yaw: float) -> None:
        self.state = VehicleState(x=x, y=y, yaw=yaw, speed=0.0, steer=self.state.steer)

    # ---- geometry -------------------------------------------------------------------------------
    def _to_world(self, local: np.ndarray) -> np.ndarray:
        st = self.state
        c, s = math.cos(st.yaw), math.sin(st.yaw)
        return local @ np.array([[c, s], [-s, c]]) + np.array([st.x, st.y])

    def wheel_points(self) -> np.ndarray:
        """Contact points of the 4 wheels (world frame): FL, FR, RL, RR."""
        L, w = self.car.wheelbase, self.car.wheel_track / 2
        return self._to_world(np.array([[L, w], [L, -w], [0.0, w], [0.0, -w]]))

    def body_corners(self) -> np.ndarray:
        c = self.car
        front, rear, w = c.body_length - c.rear_overhang, -c.rear_overhang, c.body_width / 2
        return self._to_world(np.array([[front, w], [front, -w], [rear, -w], [rear, w]]))

    def centre(self) -> tuple[float, float]:
        st = self.state
        half = self.car.wheelbase / 2
        return st.x + half * math.cos(st.yaw), st.y + half * math.sin(st.yaw)
