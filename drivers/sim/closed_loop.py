"""Drive the simulated car in a pure-library closed loop (no ROS, no processes, simulated time).

Each camera frame (15 fps by default) goes through the car's image path as camera_node publishes it
(640x480 BGR -> cv2.resize to 160x120, INTER_LINEAR), the `policy` turns it into a servo command
(angle, throttle in [-1, 1], as a ServoCtrlMsg), the servo node's maths turns that into pulse widths
with the given calibration, and the pulses reach the car one physics step later (inference and
messaging latency). Used by the sample-model script and by tests to check a model before the whole
node graph runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import cv2
import numpy as np

from drivers.sim.pure_pursuit import DEFAULT_CALIBRATION, duty_for
from drivers.sim.world import Simulation

RESIZED_WIDTH, RESIZED_HEIGHT = 160, 120
PHYSICS_DT = 0.01

Policy = Callable[[Sequence[np.ndarray]], tuple[float, float]]


def camera_images(sim: Simulation) -> list[np.ndarray]:
    """The resized BGR images of every camera, as in the camera node's CameraMsg."""
    return [cv2.resize(sim.render(i), (RESIZED_WIDTH, RESIZED_HEIGHT), interpolation=cv2.INTER_LINEAR)
            for i in range(len(sim.renderers))]


def drive(sim: Simulation, policy: Policy, seconds: float,
          calibration: Mapping[str, Mapping[str, int]] = DEFAULT_CALIBRATION, fps: float = 15.0,
          latency_steps: int = 1, on_frame: Callable[[Simulation, list[np.ndarray]], None] | None = None) -> None:
    """Run `seconds` of simulated time with `policy` in the loop."""
    servo, motor = calibration["Servo"], calibration["Motor"]
    steps_per_frame = max(1, int(round(1.0 / fps / PHYSICS_DT)))
    pending = (duty_for(0.0, motor), duty_for(0.0, servo))
    for _ in range(int(round(seconds * fps))):
        images = camera_images(sim)
        if on_frame is not None:
            on_frame(sim, images)
        angle, throttle = policy(images)
        command = (duty_for(throttle, motor), duty_for(angle, servo))
        for k in range(steps_per_frame):
            if k == min(latency_steps, steps_per_frame - 1):
                pending = command
            sim.step(PHYSICS_DT, *pending)
