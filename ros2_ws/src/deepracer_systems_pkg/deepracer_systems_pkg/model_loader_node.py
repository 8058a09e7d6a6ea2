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

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepracer_interfaces_pkg.srv import ConsoleModelActionSrv, VerifyModelReadySrv
from node_host.ros_helpers import create_deferred_service, offload, read_parameters
from rclpy.node import Node

from inference.models import DELETE_DONE, UPLOAD_DONE, console_model_action, is_model_ready
from runtime.steps import wait_for


@dataclass(frozen=True)
class ModelLoaderParams:
    artifacts_dir: str = ""   # "" = the car's artifacts folder (runtime.paths.artifacts_dir)


class ModelLoaderNode(Node):
    """Installs and deletes run on a worker thread, one at a time: the executor never waits on the disk."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "deepracer_systems_pkg")
        super().__init__("model_loader_node", **kwargs)
        self.params = read_parameters(self, ModelLoaderParams)
        # one model action at a time, in the order asked (imports of several archives never interleave)
        self._actions = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model-action")
        self.create_service(VerifyModelReadySrv, "/deepracer_systems_pkg/verify_model_ready", self._verify)
        create_deferred_service(self, ConsoleModelActionSrv, "/deepracer_systems_pkg/console_model_action",
                                self._action)

    @property
    def artifacts_dir(self) -> Path:
        if self.params.artifacts_dir:
            return Path(self.params.artifacts_dir)
        from runtime.paths import artifacts_dir

        return artifacts_dir()

    def _verify(self, request: VerifyModelReadySrv.Request,
                response: VerifyModelReadySrv.Response) -> VerifyModelReadySrv.Response:
        response.response_status = is_model_ready(self.artifacts_dir, request.model_name)
        if not response.response_status:
            self.get_logger().warning(f"verify_model_ready: {request.model_name!r} is not installed completely")
        return response

    def _run_action(self, model_path: str, action: int) -> str:
        try:
            return console_model_action(self.artifacts_dir, model_path, action)
        except Exception as exc:  # the service must always answer
            return f"failure-on-{'upload' if action == 1 else 'delete'}: {exc!r}"

    async def _action(self, request: ConsoleModelActionSrv.Request,
                      response: ConsoleModelActionSrv.Response) -> ConsoleModelActionSrv.Response:
        model_path, action = str(request.model_path), int(request.action)
        status = str(await wait_for(offload(self, lambda: self._run_action(model_path, action), self._actions)))
        text = f"console_model_action({model_path}, {action}): {status}"
        if status in (UPLOAD_DONE, DELETE_DONE):
            self.get_logger().info(text)
        else:
            self.get_logger().error(text)
        response.status = status
        return response


def main(args: Any = None) -> None:
    from node_host.host import run_nodes

    run_nodes([ModelLoaderNode], args=args)


if __name__ == "__main__":
    main()
