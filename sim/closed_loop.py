"""Drive the simulated car in a pure-library closed loop (no ROS, no processes, simulated time).

Each camera frame (15 fps by default) goes through the car's image path as camera_node publishes it
(640x480 BGR -> cv2.resize to 160x120, INTER_LINEAR), the `policy` turns it into a servo command
(angle, throttle in [-1, 1], as a ServoCtrlMsg), the servo node's maths turns that into pulse widths
with the given calibration, and the pulses reach the car one physics step later (inference and
messaging latency). Used by the sample-model script and by tests to check a model before the whole
node graph runs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

import cv2
import numpy as np

from calibration.files import DEFAULT_CALIBRATION, VehicleCalibration
from calibration.maths import command_to_duty
from sim.world import Simulation
from vehicle.calibration import CalibrationRange
from vehicle.model_load import MODEL_IMAGE_HEIGHT, MODEL_IMAGE_WIDTH

PHYSICS_DT = 0.01

Policy = Callable[[Sequence[np.ndarray]], tuple[float, float]]


def camera_images(sim: Simulation) -> list[np.ndarray]:
    """The resized BGR images of every camera, as in the camera node's CameraMsg."""
    return [cv2.resize(sim.render(i), (MODEL_IMAGE_WIDTH, MODEL_IMAGE_HEIGHT), interpolation=cv2.INTER_LINEAR)
            for i in range(len(sim.renderers))]


def duty_for(value: float, cal: CalibrationRange) -> int:
    """The servo node's pulse width (ns) for a command, clipped to [-1, 1] first (a policy's command
    outside that range drives at the limit here; the servo node would ignore it)."""
    return command_to_duty(max(-1.0, min(1.0, float(value))), cal)


def drive(sim: Simulation, policy: Policy, seconds: float,
          calibration: VehicleCalibration = DEFAULT_CALIBRATION, fps: float = 15.0,
          latency_steps: int = 1, on_frame: Callable[[Simulation, list[np.ndarray]], None] | None = None) -> None:
    """Run `seconds` of simulated time with `policy` in the loop; each command reaches the car
    `latency_steps` physics steps (10 ms each) after its frame was captured."""
    servo, motor = calibration.servo, calibration.motor
    pending = (duty_for(0.0, motor), duty_for(0.0, servo))
    queue: deque[tuple[int, tuple[int, int]]] = deque()
    frame_period = 1.0 / fps
    next_frame = 0.0
    for step in range(int(round(seconds / PHYSICS_DT))):
        now = step * PHYSICS_DT
        if now >= next_frame - 1e-9:
            next_frame += frame_period
            images = camera_images(sim)
            if on_frame is not None:
                on_frame(sim, images)
            angle, throttle = policy(images)
            queue.append((step + max(0, latency_steps), (duty_for(throttle, motor), duty_for(angle, servo))))
        while queue and queue[0][0] <= step:
            pending = queue.popleft()[1]
        sim.step(PHYSICS_DT, *pending)
