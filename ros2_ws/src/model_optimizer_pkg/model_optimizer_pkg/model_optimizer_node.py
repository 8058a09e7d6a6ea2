"""model_optimizer_node: /model_optimizer_pkg/model_optimizer_server (ModelOptimizeSrv).

Builds (first load) or validates (every later load) the cached OpenVINO IR of
`<artifacts>/<model_name>.pb` and returns its `.xml` path, as the original returned mo_tf.py's output.
error 0 on success; on failure a LoadErrorCode (never 0) and an empty artifact_path, with the reason
in the log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from deepracer_interfaces_pkg.srv import ModelOptimizeSrv
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.node import Node

from inference.errors import LoadErrorCode, ModelLoadError
from inference.optimizer import optimize_model


class ModelOptimizerNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "model_optimizer_pkg")
        super().__init__("model_optimizer_node", **kwargs)
        self.declare_parameter("artifacts_dir", "")
        self._group = ReentrantCallbackGroup()
        self.create_service(ModelOptimizeSrv, "/model_optimizer_pkg/model_optimizer_server", self._optimize,
                            callback_group=self._group)
        self.get_logger().info(f"model optimizer ready (models in {self.artifacts_dir})")

    @property
    def artifacts_dir(self) -> Path:
        value = self.get_parameter("artifacts_dir").get_parameter_value().string_value
        if value:
            return Path(value)
        from runtime.paths import artifacts_dir

        return artifacts_dir()

    def _optimize(self, request: Any, response: Any) -> Any:
        log = self.get_logger()
        try:
            prepared = optimize_model(
                self.artifacts_dir, request.model_name, list(request.model_metadata_sensors),
                request.training_algorithm, request.width, request.height, request.num_channels,
                request.lidar_channels, log=log.info)
        except ModelLoadError as exc:
            log.error(f"model optimizer: {request.model_name}: {exc}")
            response.artifact_path = ""
            response.error = int(exc.code)
            return response
        except Exception as exc:  # never let a bad model take the service down
            log.error(f"model optimizer: {request.model_name}: unexpected {exc!r}")
            response.artifact_path = ""
            response.error = int(LoadErrorCode.MODEL_INVALID)
            return response
        for warning in prepared.warnings:
            log.warning(f"model optimizer: {warning}")
        log.info(f"model optimizer: {prepared.xml} ({'converted' if prepared.rebuilt else 'cached'})")
        response.artifact_path = str(prepared.xml)
        response.error = 0
        return response


def main(args: Any = None) -> None:
    from node_host.host import run_nodes

    run_nodes([ModelOptimizerNode], args=args, executor_kind="single")


if __name__ == "__main__":
    main()
