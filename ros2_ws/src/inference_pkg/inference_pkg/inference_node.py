"""inference_node: runs the loaded model on every sensor message, newest frame first.

It subscribes to the sensor messages only while inference is started (none reach an idle car's
inference process).

Services: /inference_pkg/load_model (LoadModelSrv), /inference_pkg/inference_state (InferenceStateSrv).
Subscribes /sensor_fusion_pkg/sensor_msg (EvoSensorMsg, JPEG images: community dialect); publishes
/inference_pkg/rl_results (InferResultsArray: one InferResults per output value, class_label = index,
class_prob = value, box fields -1, plus the input JPEG images as they came, so the capture stamp
travels on to navigation, which copies it into ServoCtrlMsg.source_stamp) and, after every successful
load, /inference_pkg/model_artifact (std_msgs/String: the loaded artifact's path, transient local:
the recorder names its bags after the model folder, as the community car does). Each frame is decoded
once, straight to the model's input size and colour (`inference.preprocess.build_inputs_from_jpeg`).

Latest-frame-wins: the subscription callback only parks the message in a one-slot hand-over; a worker
thread takes the newest one when it is free, so a frame that arrived during an inference replaces the
one waiting and stale frames are dropped, never queued.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from deepracer_interfaces_pkg.msg import EvoSensorMsg, InferResults, InferResultsArray
from deepracer_interfaces_pkg.srv import InferenceStateSrv, LoadModelSrv
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from std_msgs.msg import String

from inference.engine import InferenceEngine
from inference.errors import LoadErrorCode, ModelLoadError
from inference.latest import LatestSlot
from inference.preprocess import SUPPORTED_PRE_PROCESS, build_inputs_from_jpeg

SENSOR_TOPIC = "/sensor_fusion_pkg/sensor_msg"
RESULTS_TOPIC = "/inference_pkg/rl_results"
MODEL_ARTIFACT_TOPIC = "/inference_pkg/model_artifact"
RL_TASK = 0
OBJECT_DETECTION_TASK = 1


class InferenceNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "inference_pkg")
        super().__init__("inference_node", **kwargs)
        self.declare_parameter("device", "CPU")
        self.declare_parameter("precision", "f32")
        self.declare_parameter("threads", 0)
        self._lock = threading.Lock()
        self._engine: InferenceEngine | None = None
        self._pre_process = 1
        self._running = False
        self._slot: LatestSlot[Any] = LatestSlot()
        self._stop = threading.Event()
        self._last_error = ("", 0.0)
        self.inferences = 0

        services = MutuallyExclusiveCallbackGroup()  # load and start/stop never interleave
        self.create_service(LoadModelSrv, "/inference_pkg/load_model", self._load_model, callback_group=services)
        self.create_service(InferenceStateSrv, "/inference_pkg/inference_state", self._inference_state,
                            callback_group=services)
        # subscribed only while inference runs (see _subscribe)
        self._sensor_sub: Any = None
        self._sensor_group = ReentrantCallbackGroup()
        self._publisher = self.create_publisher(InferResultsArray, RESULTS_TOPIC, 1)
        self._artifact_pub = self.create_publisher(String, MODEL_ARTIFACT_TOPIC, QoSProfile(
            depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL))
        self._worker = threading.Thread(target=self._run, name="inference-worker", daemon=True)
        self._worker.start()

    # ---- services ----
    def _load_model(self, request: LoadModelSrv.Request, response: LoadModelSrv.Response) -> LoadModelSrv.Response:
        log = self.get_logger()
        code, message = self._validate_load(request)
        if code:
            log.error(f"load_model: {message}")
            response.error = int(code)
            return response
        with self._lock:  # stop using the old model before loading the new one
            self._running = False
            self._engine = None
        self._subscribe(False)
        self._slot.clear()
        started = time.monotonic()
        try:
            engine = InferenceEngine.load(
                request.artifact_path,
                device=self.get_parameter("device").value,
                precision=self.get_parameter("precision").value,
                threads=int(self.get_parameter("threads").value) or None,
                log=log.info,
            )
        except ModelLoadError as exc:
            log.error(f"load_model: {request.artifact_path}: {exc}")
            response.error = int(exc.code)
            return response
        except Exception as exc:
            log.error(f"load_model: {request.artifact_path}: unexpected {exc!r}")
            response.error = int(LoadErrorCode.MODEL_INVALID)
            return response
        with self._lock:
            self._engine = engine
            self._pre_process = int(request.pre_process_type)
        inputs = ", ".join(f"{i.sensor}{list(i.shape)}" for i in engine.inputs)
        log.info(f"load_model: {request.artifact_path} loaded in {time.monotonic() - started:.2f} s "
                 f"(inputs {inputs}, precision {engine.precision})")
        self._artifact_pub.publish(String(data=str(request.artifact_path)))
        response.error = 0
        return response

    @staticmethod
    def _validate_load(request: LoadModelSrv.Request) -> tuple[int, str]:
        if request.task_type == OBJECT_DETECTION_TASK:
            return LoadErrorCode.NOT_IMPLEMENTED, "task_type 1 (object detection) is not implemented"
        if request.task_type != RL_TASK:
            return LoadErrorCode.BAD_REQUEST, f"unknown task_type {request.task_type}"
        if request.pre_process_type not in SUPPORTED_PRE_PROCESS:
            return LoadErrorCode.BAD_REQUEST, f"pre_process_type {request.pre_process_type} is not supported"
        if not request.artifact_path:
            return LoadErrorCode.BAD_REQUEST, "artifact_path is empty"
        return LoadErrorCode.OK, ""

    def _inference_state(self, request: InferenceStateSrv.Request,
                         response: InferenceStateSrv.Response) -> InferenceStateSrv.Response:
        with self._lock:
            if request.start and self._engine is None:
                self.get_logger().warning("inference_state: no model is loaded")
                response.error = 1
                return response
            self._running = bool(request.start)
        self._subscribe(bool(request.start))
        self._slot.clear()  # never start on a frame captured before the start
        self.get_logger().info(f"inference {'started' if request.start else 'stopped'}")
        response.error = 0
        return response

    def _subscribe(self, wanted: bool) -> None:
        """Sensor messages only while inference runs: stopped, no frame is sent to this process (30 JPEG
        messages a second to deserialise and drop), and sensor fusion, seeing no subscriber, builds none.
        Best effort, depth 1: accepts reliable and best-effort publishers, never redelivers old frames."""
        if wanted and self._sensor_sub is None:
            self._sensor_sub = self.create_subscription(
                EvoSensorMsg, SENSOR_TOPIC, self._slot.put, QoSProfile(depth=1, reliability=ReliabilityPolicy.BEST_EFFORT),
                callback_group=self._sensor_group)
        elif not wanted and self._sensor_sub is not None:
            self.destroy_subscription(self._sensor_sub)
            self._sensor_sub = None

    # ---- worker ----
    def _run(self) -> None:
        while not self._stop.is_set():
            msg = self._slot.take(timeout=0.5)
            if msg is None:
                continue
            with self._lock:
                engine, pre_process, running = self._engine, self._pre_process, self._running
            if engine is None or not running:
                continue
            try:
                self._publisher.publish(self._infer(engine, pre_process, msg))
                self.inferences += 1
            except Exception as exc:  # bad frame: report (rate-limited) and wait for the next one
                self._report(str(exc))

    @staticmethod
    def _infer(engine: InferenceEngine, pre_process: int, msg: Any) -> Any:
        frames = [(img.data, img.format) for img in msg.images]
        output = engine.infer(build_inputs_from_jpeg(engine.inputs, frames, msg.lidar_data, pre_process))
        result = InferResultsArray()
        result.results = [InferResults(class_label=i, class_prob=float(v), x_min=-1.0, y_min=-1.0, x_max=-1.0,
                                       y_max=-1.0) for i, v in enumerate(output)]
        result.images = list(msg.images)
        return result

    def _report(self, message: str) -> None:
        now = time.monotonic()
        last, when = self._last_error
        if message != last or now - when > 5.0:
            self.get_logger().error(f"inference skipped a frame: {message}")
            self._last_error = (message, now)

    def on_shutdown(self) -> None:
        self._stop.set()
        self._slot.close()
        self._worker.join(timeout=2.0)


def main(args: Any = None) -> None:
    from node_host.host import run_nodes

    run_nodes([InferenceNode], args=args, executor_kind="single")


if __name__ == "__main__":
    main()
