"""Stand-ins for the inference process and the camera: the services ctrl_node calls, recording each request.

They run on the test's own node (real ROS services, real messages); `errors` makes one answer with an error.
"""

from __future__ import annotations

import threading
from typing import Any

from deepracer_interfaces_pkg.srv import (
    InferenceStateSrv,
    LoadModelSrv,
    ModelOptimizeSrv,
    NavThrottleSrv,
    VideoStateSrv,
)


class FakeInferenceStack:
    def __init__(self, node: Any, artifact_path: str = "/opt/aws/deepracer/artifacts/Sample/model.xml") -> None:
        self.node = node
        self.artifact_path = artifact_path
        self.calls: list[tuple[str, Any]] = []
        self.history: list[tuple[str, Any]] = []     # every call ever (clear() keeps it)
        self.errors: dict[str, int] = {}
        self._lock = threading.Lock()
        self.services = [
            node.create_service(ModelOptimizeSrv, "/model_optimizer_pkg/model_optimizer_server", self._optimize),
            node.create_service(LoadModelSrv, "/inference_pkg/load_model", self._handler("load_model")),
            node.create_service(InferenceStateSrv, "/inference_pkg/inference_state",
                                self._handler("inference_state")),
            node.create_service(LoadModelSrv, "/deepracer_navigation_pkg/load_action_space",
                                self._handler("load_action_space")),
            node.create_service(NavThrottleSrv, "/deepracer_navigation_pkg/navigation_throttle",
                                self._handler("navigation_throttle")),
            node.create_service(VideoStateSrv, "/camera_pkg/media_state", self._handler("media_state")),
        ]

    def _record(self, name: str, request: Any) -> int:
        with self._lock:
            self.calls.append((name, request))
            self.history.append((name, request))
            return self.errors.get(name, 0)

    def _handler(self, name: str) -> Any:
        def handle(request: Any, response: Any) -> Any:
            response.error = self._record(name, request)
            return response
        return handle

    def _optimize(self, request: Any, response: Any) -> Any:
        response.error = self._record("optimizer", request)
        response.artifact_path = "" if response.error else self.artifact_path
        return response

    def named(self, name: str) -> list[Any]:
        with self._lock:
            return [request for call, request in self.calls if call == name]

    def names(self) -> list[str]:
        with self._lock:
            return [call for call, _ in self.calls]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def close(self) -> None:
        for service in self.services:
            self.node.destroy_service(service)
