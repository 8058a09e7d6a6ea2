"""model_optimizer_node: /model_optimizer_pkg/model_optimizer_server (ModelOptimizeSrv).

Builds (first load) or validates (every later load) the cached OpenVINO IR of
`<artifacts>/<model_name>.pb` and returns its `.xml` path, as the original returned mo_tf.py's output.
error 0 on success; on failure a LoadErrorCode (never 0) and an empty artifact_path, with the reason
in the log.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepracer_interfaces_pkg.srv import ModelOptimizeSrv
from node_host.ros_helpers import create_deferred_service, offload, read_parameters
from rclpy.node import Node

from inference.engine import PreparedModel
from inference.errors import LoadErrorCode, ModelLoadError
from inference.optimizer import optimize_model
from runtime.steps import wait_for


@dataclass(frozen=True)
class ModelOptimizerParams:
    artifacts_dir: str = ""   # "" = the car's artifacts folder (runtime.paths.artifacts_dir)


class ModelOptimizerNode(Node):
    """Conversions run on a worker thread of their own, one at a time: inference and navigation, which
    share this process, keep answering meanwhile."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "model_optimizer_pkg")
        super().__init__("model_optimizer_node", **kwargs)
        self.params = read_parameters(self, ModelOptimizerParams)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model-optimizer")
        create_deferred_service(self, ModelOptimizeSrv, "/model_optimizer_pkg/model_optimizer_server",
                                self._optimize)
        self.get_logger().info(f"model optimizer ready (models in {self.artifacts_dir})")

    @property
    def artifacts_dir(self) -> Path:
        if self.params.artifacts_dir:
            return Path(self.params.artifacts_dir)
        from runtime.paths import artifacts_dir

        return artifacts_dir()

    def _prepare(self, request: ModelOptimizeSrv.Request) -> PreparedModel:
        return optimize_model(
            self.artifacts_dir, request.model_name, list(request.model_metadata_sensors),
            request.training_algorithm, request.width, request.height, request.num_channels,
            request.lidar_channels, log=self.get_logger().info)

    async def _optimize(self, request: ModelOptimizeSrv.Request,
                        response: ModelOptimizeSrv.Response) -> ModelOptimizeSrv.Response:
        log = self.get_logger()
        response.artifact_path = ""
        try:
            prepared = await wait_for(offload(self, lambda: self._prepare(request), self._worker))
        except ModelLoadError as exc:
            log.error(f"model optimizer: {request.model_name}: {exc}")
            response.error = int(exc.code)
            return response
        except Exception as exc:  # never let a bad model take the service down
            log.error(f"model optimizer: {request.model_name}: unexpected {exc!r}")
            response.error = int(LoadErrorCode.MODEL_INVALID)
            return response
        assert prepared is not None
        for warning in prepared.warnings:
            log.warning(f"model optimizer: {warning}")
        log.info(f"model optimizer: {prepared.xml} ({'converted' if prepared.rebuilt else 'cached'})")
        response.artifact_path = str(prepared.xml)
        response.error = 0
        return response

    def on_shutdown(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)


def main(args: Any = None) -> None:
    from node_host.host import run_nodes

    run_nodes([ModelOptimizerNode], args=args)


if __name__ == "__main__":
    main()
