"""model_loader_node: the model services of deepracer_systems_pkg.

Services:
- /deepracer_systems_pkg/verify_model_ready (VerifyModelReadySrv): true when `<artifacts>/<model_name>`
  holds a graph and a non-empty checksum.txt (imports are atomic, so a half-installed model is never
  reported ready).
- /deepracer_systems_pkg/console_model_action (ConsoleModelActionSrv): action 1 installs the archive
  (or the folder holding it) at model_path -> "done-upload" | "failure-on-upload: <reason>";
  action 0 deletes the model folder model_path -> "done-delete" | "failure-on-delete: <reason>" |
  "model-path-does-not-exist".
Both use inference/models.py, the library the console, the USB import and `deepracer models` share.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from deepracer_interfaces_pkg.srv import ConsoleModelActionSrv, VerifyModelReadySrv
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup
from rclpy.node import Node

from inference.models import DELETE_DONE, UPLOAD_DONE, console_model_action, is_model_ready


class ModelLoaderNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "deepracer_systems_pkg")
        super().__init__("model_loader_node", **kwargs)
        self.declare_parameter("artifacts_dir", "")
        self.create_service(VerifyModelReadySrv, "/deepracer_systems_pkg/verify_model_ready", self._verify,
                            callback_group=ReentrantCallbackGroup())
        # one model action at a time (imports of several archives never interleave)
        self.create_service(ConsoleModelActionSrv, "/deepracer_systems_pkg/console_model_action", self._action,
                            callback_group=MutuallyExclusiveCallbackGroup())

    @property
    def artifacts_dir(self) -> Path:
        value = self.get_parameter("artifacts_dir").get_parameter_value().string_value
        if value:
            return Path(value)
        from runtime.paths import artifacts_dir

        return artifacts_dir()

    def _verify(self, request: Any, response: Any) -> Any:
        response.response_status = is_model_ready(self.artifacts_dir, request.model_name)
        if not response.response_status:
            self.get_logger().warning(f"verify_model_ready: {request.model_name!r} is not installed completely")
        return response

    def _action(self, request: Any, response: Any) -> Any:
        log = self.get_logger()
        try:
            status = console_model_action(self.artifacts_dir, request.model_path, int(request.action))
        except Exception as exc:  # the service must always answer
            status = f"failure-on-{'upload' if request.action == 1 else 'delete'}: {exc!r}"
        text = f"console_model_action({request.model_path}, {request.action}): {status}"
        if status in (UPLOAD_DONE, DELETE_DONE):
            log.info(text)
        else:
            log.error(text)
        response.status = status
        return response


def main(args: Any = None) -> None:
    from node_host.host import run_nodes

    run_nodes([ModelLoaderNode], args=args)


if __name__ == "__main__":
    main()
