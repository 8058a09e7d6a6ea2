"""deepracer_navigation_node: model outputs -> steering angle and throttle.

Subscribes /inference_pkg/rl_results (InferResultsArray). Publishes, once per result,
/deepracer_navigation_pkg/auto_drive (ServoCtrlMsg; community dialect: `source_stamp` = the capture
stamp of the camera frame the command came from, images[0].header.stamp, so the servo node can
measure camera-to-PWM latency).
Services: /deepracer_navigation_pkg/load_action_space (LoadModelSrv: model_metadata.json next to
artifact_path; error 1 and the default action space on failure) and
/deepracer_navigation_pkg/navigation_throttle (NavThrottleSrv: the maximum-speed scale 0..1,
initially 0 so the car does not move until the user sets a speed).
The maths (speed mapping a = -1.2/max^2, b = 2.2/max, discrete argmax, continuous scaling) is in
inference/navigation.py.
"""

from __future__ import annotations

import math
import threading
from typing import Any

from builtin_interfaces.msg import Time
from deepracer_interfaces_pkg.msg import InferResultsArray, ServoCtrlMsg
from deepracer_interfaces_pkg.srv import LoadModelSrv, NavThrottleSrv
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.node import Node

from inference.navigation import ActionSpace, default_action_space, load_action_space


class NavigationNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "deepracer_navigation_pkg")
        super().__init__("deepracer_navigation_node", **kwargs)
        self._lock = threading.Lock()
        self._space: ActionSpace = default_action_space()
        self._throttle_scale = 0.0
        group = MutuallyExclusiveCallbackGroup()
        self.create_service(LoadModelSrv, "/deepracer_navigation_pkg/load_action_space", self._load_action_space,
                            callback_group=group)
        self.create_service(NavThrottleSrv, "/deepracer_navigation_pkg/navigation_throttle", self._set_throttle,
                            callback_group=group)
        self._drive = self.create_publisher(ServoCtrlMsg, "/deepracer_navigation_pkg/auto_drive", 1)
        # depth 1: a result that waited behind a newer one is stale; drive on the newest only
        self.create_subscription(InferResultsArray, "/inference_pkg/rl_results", self._on_results, 1,
                                 callback_group=MutuallyExclusiveCallbackGroup())

    def _load_action_space(self, request: LoadModelSrv.Request, response: LoadModelSrv.Response) -> LoadModelSrv.Response:
        space, error, message = load_action_space(request.artifact_path, request.action_space_type)
        with self._lock:
            self._space = space
        if error:
            self.get_logger().error(f"load_action_space: {message}")
        else:
            self.get_logger().info(message)
        response.error = error
        return response

    def _set_throttle(self, request: NavThrottleSrv.Request, response: NavThrottleSrv.Response) -> NavThrottleSrv.Response:
        value = float(request.throttle)
        if not math.isfinite(value) or not 0.0 <= value <= 1.0:
            self.get_logger().error(f"navigation_throttle: {value} is outside 0..1; unchanged")
            response.error = 1
            return response
        with self._lock:
            self._throttle_scale = value
        self.get_logger().info(f"navigation throttle scale {value:.2f}")
        response.error = 0
        return response

    def _on_results(self, msg: Any) -> None:
        with self._lock:
            space, scale = self._space, self._throttle_scale
        angle, throttle = space.servo_command([(r.class_label, r.class_prob) for r in msg.results], scale)
        stamp = msg.images[0].header.stamp if msg.images else Time()
        self._drive.publish(ServoCtrlMsg(angle=float(angle), throttle=float(throttle), source_stamp=stamp))


def main(args: Any = None) -> None:
    from node_host.host import run_nodes

    run_nodes([NavigationNode], args=args, executor_kind="single")


if __name__ == "__main__":
    main()
