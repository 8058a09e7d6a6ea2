"""ctrl_node: the manual / autonomous / calibration state machine of the car.

Thin adapter over `ctrl_pkg.state_machine.CtrlStateMachine`: drive topics in, servo topics out,
the original services, the model-load sequence through the optimizer / inference / navigation
services, and the emergency stop (`/ctrl_pkg/emergency_stop`, std_srvs/Trigger). See README.md.

Restarts: a timer watches the graph for new processes behind the services ctrl uses
(`ctrl_pkg.restarts`). A new camera process is activated (media_state), a restarted pipeline or console
stops driving, a restarted inference process gets the last model loaded again and a restarted
navigation the maximum speed; what the user chose is saved per launcher run (`runtime.run_state`) so
a restarted ctrl comes back in the same mode with the same model, stopped.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from builtin_interfaces.msg import Time
from deepracer_interfaces_pkg.msg import ServoCtrlMsg
from deepracer_interfaces_pkg.srv import (
    ActiveStateSrv,
    EnableStateSrv,
    GetCalibrationSrv,
    GetCtrlModesSrv,
    GetLedCtrlSrv,
    GetModelLoadingStatusSrv,
    InferenceStateSrv,
    LoadModelSrv,
    ModelOptimizeSrv,
    ModelStateSrv,
    NavThrottleSrv,
    ServoGPIOSrv,
    SetCalibrationSrv,
    SetLedCtrlSrv,
    VideoStateSrv,
)
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup
from rclpy.client import Client
from rclpy.duration import Duration
from rclpy.node import Node
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
from std_srvs.srv import Trigger

from calibration.maths import CalibrationError, validate_ordering
from ctrl_pkg.restarts import RestartTracker
from ctrl_pkg.state_machine import CtrlStateMachine, ServiceError
from runtime import run_state
from vehicle.model_load import ModelLoadRequest
from vehicle.modes import DriveMode

SERVO_GPIO_ENABLE = 0
SERVO_GPIO_DISABLE = 1

# The processes ctrl depends on, by a service each serves (any server counts: the original's names).
WATCHED_SERVICES = {
    "camera": "/camera_pkg/media_state",
    "sensor fusion": "/sensor_fusion_pkg/sensor_data_status",
    "model optimizer": "/model_optimizer_pkg/model_optimizer_server",
    "inference": "/inference_pkg/load_model",
    "navigation": "/deepracer_navigation_pkg/load_action_space",
}
# ... or by a publisher of one named node (test tools publish on these topics too).
WATCHED_PUBLISHERS = {
    "console": ("/webserver_pkg/manual_drive", "/webserver_pkg/webserver_publisher_node"),
}
PIPELINE = frozenset({"camera", "sensor fusion", "model optimizer", "inference", "navigation"})
MODEL_HOLDERS = ("model optimizer", "inference", "navigation")  # the services of the load sequence
RUN_STATE_NAME = "ctrl"
RESEND_AFTER_S = 1.0  # idempotent calls of the load sequence: ask again after this long without an answer


def command_qos(deadline_s: float = 0.0) -> QoSProfile:
    """ServoCtrlMsg between ctrl and servo: BEST_EFFORT KeepLast(1) (+ an offered deadline)."""
    qos = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1, reliability=ReliabilityPolicy.BEST_EFFORT)
    if deadline_s > 0:
        qos.deadline = Duration(nanoseconds=int(deadline_s * 1e9))
    return qos


class _RosPorts:
    """CtrlPorts implemented with the node's publishers and service clients."""

    def __init__(self, node: CtrlNode) -> None:
        self.node = node

    def publish_servo(self, angle: float, throttle: float, stamp_ns: int = 0) -> None:
        stamp = Time(sec=stamp_ns // 1_000_000_000, nanosec=stamp_ns % 1_000_000_000)
        self.node.servo_pub.publish(ServoCtrlMsg(angle=float(angle), throttle=float(throttle), source_stamp=stamp))

    def publish_raw(self, angle: float, throttle: float) -> None:
        self.node.raw_pub.publish(ServoCtrlMsg(angle=float(angle), throttle=float(throttle)))

    def request_servo_power(self, enabled: bool) -> None:
        self.node.servo_power.request(enabled)

    def request_inference(self, start: bool) -> None:
        request = InferenceStateSrv.Request(start=1 if start else 0, task_type=0)
        self.node.fire(self.node.inference_state_client, request, "inference_state", quiet_if_missing=True,
                       on_error=self.node.machine.inference_refused if start else None)

    def inference_state(self, start: bool) -> int:
        # idempotent: asked again until answered, so a freshly restarted inference process that drops
        # its first answers does not fail the load (the calls after it find the reply path matched)
        response = self.node.call(self.node.inference_state_client,
                                  InferenceStateSrv.Request(start=1 if start else 0, task_type=0),
                                  resend_after=RESEND_AFTER_S)
        return int(response.error)

    def optimize_model(self, request: ModelLoadRequest) -> tuple[str, int]:
        srv = ModelOptimizeSrv.Request(
            model_name=request.model_name, model_metadata_sensors=list(request.model_metadata_sensors),
            training_algorithm=request.training_algorithm, img_format=request.img_format,
            width=request.width, height=request.height, num_channels=request.num_channels,
            lidar_channels=request.lidar_channels, platform=request.platform)
        response = self.node.call(self.node.optimizer_client, srv, timeout=self.node.optimizer_timeout)
        return str(response.artifact_path), int(response.error)

    def _load_request(self, artifact_path: str, pre_process_type: int, action_space_type: int) -> Any:
        return LoadModelSrv.Request(artifact_path=artifact_path, task_type=0,
                                    pre_process_type=pre_process_type, action_space_type=action_space_type)

    def load_model(self, artifact_path: str, pre_process_type: int, action_space_type: int) -> int:
        response = self.node.call(self.node.load_model_client,
                                  self._load_request(artifact_path, pre_process_type, action_space_type),
                                  timeout=self.node.optimizer_timeout)
        return int(response.error)

    def load_action_space(self, artifact_path: str, pre_process_type: int, action_space_type: int) -> int:
        response = self.node.call(self.node.action_space_client,
                                  self._load_request(artifact_path, pre_process_type, action_space_type),
                                  resend_after=RESEND_AFTER_S)
        return int(response.error)


class ServoPowerRequester:
    """Applies the latest wanted servo power state through /servo_pkg/servo_gpio, in order.

    Requests are not fire-and-forget: a worker thread waits for the service when it is not there
    yet (e.g. right after start) and always ends on the *last* wanted state, so a late "on" can never
    overtake a later "off".
    """

    def __init__(self, node: CtrlNode) -> None:
        self.node = node
        self._wanted: bool | None = None
        self._applied: bool | None = None
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="servo-power", daemon=True)
        self._thread.start()

    def request(self, enabled: bool) -> None:
        with self._cond:
            self._wanted = enabled
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(2)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or self._wanted != self._applied)
                if self._closed:
                    return
                wanted = self._wanted
            request = ServoGPIOSrv.Request(enable=SERVO_GPIO_ENABLE if wanted else SERVO_GPIO_DISABLE)
            try:
                error = int(self.node.call(self.node.servo_gpio_client, request).error)
            except ServiceError as exc:
                self.node.get_logger().warning(f"servo power {'on' if wanted else 'off'}: {exc}; retrying",
                                               throttle_duration_sec=10.0)
                with self._cond:
                    self._cond.wait_for(lambda: self._closed, timeout=0.5)
                continue
            if error != 0:
                self.node.get_logger().error(f"servo_gpio({request.enable}) returned error {error}")
            with self._cond:
                self._applied = wanted


class CtrlNode(Node):
    """Vehicle state machine.

    Subscribes: /webserver_pkg/manual_drive, /deepracer_navigation_pkg/auto_drive,
    /webserver_pkg/calibration_drive.
    Publishes: /ctrl_pkg/servo_msg (autonomous commands keep their source_stamp), /ctrl_pkg/raw_pwm.
    Services: /ctrl_pkg/{vehicle_state, enable_state, emergency_stop, get_car_cal, set_car_cal,
    get_car_led, set_car_led, model_state, is_model_loading, autonomous_throttle, get_ctrl_modes}.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "ctrl_pkg")
        super().__init__("ctrl_node", **kwargs)
        self.service_timeout = float(self.declare_parameter("service_timeout", 10.0).value)
        self.optimizer_timeout = float(self.declare_parameter("optimizer_timeout", 300.0).value)
        command_deadline = float(self.declare_parameter("command_deadline", 0.5).value)
        self.activate_camera = bool(self.declare_parameter("activate_camera", True).value)

        self._command_group = MutuallyExclusiveCallbackGroup()
        self._service_group = ReentrantCallbackGroup()
        self._client_group = ReentrantCallbackGroup()

        self.servo_pub = self.create_publisher(ServoCtrlMsg, "/ctrl_pkg/servo_msg", command_qos(command_deadline))
        self.raw_pub = self.create_publisher(ServoCtrlMsg, "/ctrl_pkg/raw_pwm", command_qos())

        def client(srv_type: Any, name: str) -> Client:
            return self.create_client(srv_type, name, callback_group=self._client_group)

        self.servo_gpio_client = client(ServoGPIOSrv, "/servo_pkg/servo_gpio")
        self.servo_get_cal_client = client(GetCalibrationSrv, "/servo_pkg/get_calibration")
        self.servo_set_cal_client = client(SetCalibrationSrv, "/servo_pkg/set_calibration")
        self.servo_get_led_client = client(GetLedCtrlSrv, "/servo_pkg/get_led_state")
        self.servo_set_led_client = client(SetLedCtrlSrv, "/servo_pkg/set_led_state")
        self.optimizer_client = client(ModelOptimizeSrv, "/model_optimizer_pkg/model_optimizer_server")
        self.load_model_client = client(LoadModelSrv, "/inference_pkg/load_model")
        self.inference_state_client = client(InferenceStateSrv, "/inference_pkg/inference_state")
        self.nav_throttle_client = client(NavThrottleSrv, "/deepracer_navigation_pkg/navigation_throttle")
        self.action_space_client = client(LoadModelSrv, "/deepracer_navigation_pkg/load_action_space")
        self.media_client = client(VideoStateSrv, "/camera_pkg/media_state")

        self.servo_power = ServoPowerRequester(self)
        self._intent_lock = threading.Lock()
        self._throttle: float | None = None   # the last maximum speed navigation accepted
        self.machine = CtrlStateMachine(_RosPorts(self), log=self._log, on_change=self._save_intent)

        qos = command_qos()
        self.create_subscription(ServoCtrlMsg, "/webserver_pkg/manual_drive",
                                 self._on_manual, qos,
                                 callback_group=self._command_group)
        self.create_subscription(ServoCtrlMsg, "/deepracer_navigation_pkg/auto_drive",
                                 self._on_auto, qos,
                                 callback_group=self._command_group)
        self.create_subscription(ServoCtrlMsg, "/webserver_pkg/calibration_drive",
                                 self._on_calibration, qos,
                                 callback_group=self._command_group)

        def service(srv_type: Any, name: str, handler: Any) -> None:
            self.create_service(srv_type, f"/ctrl_pkg/{name}", handler, callback_group=self._service_group)

        service(ActiveStateSrv, "vehicle_state", self._vehicle_state)
        service(EnableStateSrv, "enable_state", self._enable_state)
        service(Trigger, "emergency_stop", self._emergency_stop)
        service(GetCalibrationSrv, "get_car_cal", self._get_car_cal)
        service(SetCalibrationSrv, "set_car_cal", self._set_car_cal)
        service(GetLedCtrlSrv, "get_car_led", self._get_car_led)
        service(SetLedCtrlSrv, "set_car_led", self._set_car_led)
        service(ModelStateSrv, "model_state", self._model_state)
        service(GetModelLoadingStatusSrv, "is_model_loading", self._is_model_loading)
        service(NavThrottleSrv, "autonomous_throttle", self._autonomous_throttle)
        service(GetCtrlModesSrv, "get_ctrl_modes", self._get_ctrl_modes)

        self.call_retry_s = float(self.declare_parameter("restart_call_timeout", 3.0).value)
        self._tracker = RestartTracker([*WATCHED_SERVICES, *WATCHED_PUBLISHERS])
        self._camera_wanted = False          # a new camera process waits for media_state(activate)
        self._camera_call: tuple[Any, float] | None = None
        self._throttle_wanted = False        # a new navigation process waits for the maximum speed
        self._throttle_call: tuple[Any, float] | None = None
        self._throttle_sent = 0.0
        restored = run_state.load(RUN_STATE_NAME)
        if restored is not None:
            description = self.machine.restore(restored)
            throttle = restored.get("throttle")
            if isinstance(throttle, (int, float)) and not isinstance(throttle, bool) and 0.0 <= throttle <= 1.0:
                self._throttle = float(throttle)
                self._throttle_wanted = True
            self.get_logger().warning(f"ctrl_node restarted: carrying on in {description}"
                                      + (f", maximum speed {self._throttle:g}" if self._throttle is not None else ""))
        self.create_timer(float(self.declare_parameter("restart_watch_period", 0.25).value), self._watch_tick,
                          callback_group=MutuallyExclusiveCallbackGroup())
        self.get_logger().info(f"ctrl_node started: {self.machine.describe()}; "
                               "press start (enable_state true) to drive")

    # -- plumbing ----------------------------------------------------------------------------
    def _log(self, level: str, message: str) -> None:
        # one call site per severity: rclpy refuses a severity change at the same call site
        logger = self.get_logger()
        if level == "error":
            logger.error(message)
        elif level == "warn":
            logger.warning(message)
        else:
            logger.info(message)

    def call(self, client: Client, request: Any, timeout: float | None = None,
             resend_after: float | None = None) -> Any:
        """Blocking service call usable from any callback or thread (ServiceError on failure).

        `resend_after` (idempotent requests only): ask again when no answer came within that time. A
        process that has just started can drop its first answers (DDS has not matched its reply path
        with this client yet), and the request itself may have gone to a killed process's ghost."""
        limit = self.service_timeout if timeout is None else timeout
        if not client.service_is_ready() and not client.wait_for_service(timeout_sec=min(limit, 2.0)):
            raise ServiceError(f"service {client.srv_name} is not available")
        deadline = time.monotonic() + limit
        while True:
            future = client.call_async(request)
            done = threading.Event()
            future.add_done_callback(lambda _f, event=done: event.set())
            remaining = deadline - time.monotonic()
            if done.wait(max(0.0, min(remaining, resend_after or remaining))):
                break
            client.remove_pending_request(future)
            if time.monotonic() >= deadline:
                raise ServiceError(f"service {client.srv_name} did not answer within {limit:g} s")
        if future.exception() is not None:
            raise ServiceError(f"service {client.srv_name} failed: {future.exception()}")
        return future.result()

    def fire(self, client: Client, request: Any, what: str, quiet_if_missing: bool = False,
             on_error: Any = None) -> None:
        """Fire-and-forget call; failures are logged (and `on_error()` runs when it answered an error)."""
        if not client.service_is_ready():
            if not quiet_if_missing:
                self.get_logger().warning(f"{what}: {client.srv_name} not available")
            return
        future = client.call_async(request)

        def done(f: Any) -> None:
            exc = f.exception()
            if exc is not None:
                self.get_logger().error(f"{what} failed: {exc}")
            elif getattr(f.result(), "error", 0) != 0:
                self.get_logger().error(f"{what} returned error {f.result().error}")
                if on_error is not None:
                    on_error()

        future.add_done_callback(done)

    # -- restarts ----------------------------------------------------------------------------
    def _save_intent(self) -> None:
        with self._intent_lock:
            run_state.save(RUN_STATE_NAME, {**self.machine.intent(), "throttle": self._throttle})

    def _endpoint_gids(self) -> dict[str, list[bytes]]:
        seen: dict[str, list[bytes]] = {}
        for name, service in WATCHED_SERVICES.items():
            readers = self.get_subscriptions_info_by_topic(f"rq{service}Request", no_mangle=True)
            seen[name] = [bytes(info.endpoint_gid) for info in readers]
        for name, (topic, node) in WATCHED_PUBLISHERS.items():
            namespace, _, node_name = node.rpartition("/")
            seen[name] = [bytes(info.endpoint_gid) for info in self.get_publishers_info_by_topic(topic)
                          if info.node_name == node_name and info.node_namespace == namespace]
        return seen

    def _watch_tick(self) -> None:
        """React to processes that came (back) up; then push what a new process is still missing."""
        changes = self._tracker.update(self._endpoint_gids())
        if changes.restarted:
            self.get_logger().warning(f"restarted: {', '.join(sorted(changes.restarted))} (a new process)")
        pipeline = sorted(changes.restarted & PIPELINE)
        if pipeline:
            self.machine.stop_for_restart(", ".join(pipeline), autonomous_only=True)
        if "console" in changes.restarted:
            self.machine.stop_for_restart("the console", autonomous_only=False)
        if changes.restarted & set(MODEL_HOLDERS):
            self.machine.model_lost()
        if "navigation" in changes.restarted and self._throttle is not None:
            self._throttle_wanted = True
        if "camera" in changes.appeared and self.activate_camera:
            self._camera_wanted = True
        self._activate_camera()
        self._restore_throttle()
        if self.machine.reload_pending and all(self._tracker.available(name) for name in MODEL_HOLDERS):
            self.machine.reload_if_pending()

    def _pending(self, call: tuple[Any, float] | None, client: Client) -> tuple[bool, Any]:
        """(still waiting, answer or None) for a call made by a tick; a call past its time is dropped."""
        if call is None:
            return False, None
        future, deadline = call
        if future.done():
            return False, (future.result() if future.exception() is None else None)
        if time.monotonic() < deadline:
            return True, None
        client.remove_pending_request(future)  # a request the dead process got, or one lost in discovery
        return False, None

    def _activate_camera(self) -> None:
        """media_state(activate) for each new camera process (the original does it once at start)."""
        waiting, answer = self._pending(self._camera_call, self.media_client)
        if waiting:
            return
        if self._camera_call is not None:
            self._camera_call = None
            if answer is not None and answer.error == 0:
                self.get_logger().info("camera activated (media_state)")
            else:
                self._camera_wanted = True
                self.get_logger().warning("camera could not be activated; retrying",
                                          throttle_duration_sec=10.0)
        if self._camera_wanted and self._tracker.available("camera") and self.media_client.service_is_ready():
            self._camera_wanted = False
            future = self.media_client.call_async(VideoStateSrv.Request(activate_video=1))
            self._camera_call = (future, time.monotonic() + self.call_retry_s)

    def _restore_throttle(self) -> None:
        """The maximum speed for a new navigation process (it starts at 0: the car would not move)."""
        waiting, answer = self._pending(self._throttle_call, self.nav_throttle_client)
        if waiting:
            return
        if self._throttle_call is not None:
            self._throttle_call = None
            if answer is None or answer.error != 0:
                self._throttle_wanted = True
            else:
                self.get_logger().info(f"maximum speed {self._throttle_sent:g} restored in navigation")
                if self._throttle_sent != self._throttle:
                    self._throttle_wanted = True  # the user changed it meanwhile: theirs is the last word
        throttle = self._throttle
        if (self._throttle_wanted and throttle is not None and self._tracker.available("navigation")
                and self.nav_throttle_client.service_is_ready()):
            self._throttle_wanted = False
            self._throttle_sent = throttle
            future = self.nav_throttle_client.call_async(NavThrottleSrv.Request(throttle=throttle))
            self._throttle_call = (future, time.monotonic() + self.call_retry_s)

    def _on_manual(self, msg: Any) -> None:
        self.machine.forward_manual(msg.angle, msg.throttle)

    def _on_auto(self, msg: Any) -> None:
        stamp_ns = int(msg.source_stamp.sec) * 1_000_000_000 + int(msg.source_stamp.nanosec)
        self.machine.forward_auto(msg.angle, msg.throttle, stamp_ns)

    def _on_calibration(self, msg: Any) -> None:
        self.machine.forward_calibration(msg.angle, msg.throttle)

    # -- services ----------------------------------------------------------------------------
    def _vehicle_state(self, request: Any, response: Any) -> Any:
        response.error = self.machine.set_vehicle_state(int(request.state))
        return response

    def _enable_state(self, request: Any, response: Any) -> Any:
        response.error = self.machine.set_enabled(bool(request.is_active))
        return response

    def _emergency_stop(self, request: Any, response: Any) -> Any:
        response.message = self.machine.emergency_stop("/ctrl_pkg/emergency_stop")
        response.success = True
        return response

    def _not_calibrating(self, what: str) -> str:
        message = (f"{what} is only available in calibration mode (vehicle_state 2); "
                   f"the car is in {self.machine.describe()}")
        self.get_logger().error(message)
        return message

    def _get_car_cal(self, request: Any, response: Any) -> Any:
        if not self.machine.in_calibration():
            self._not_calibrating("get_car_cal")
            response.error = 1
            return response
        try:
            result = self.call(self.servo_get_cal_client, GetCalibrationSrv.Request(cal_type=request.cal_type))
        except ServiceError as exc:
            self.get_logger().error(f"get_car_cal: {exc}")
            response.error = 1
            return response
        response.max, response.mid, response.min = result.max, result.mid, result.min
        response.polarity, response.error = result.polarity, result.error
        return response

    def _set_car_cal(self, request: Any, response: Any) -> Any:
        response.error = 1
        if not self.machine.in_calibration():
            self._not_calibrating("set_car_cal")
            return response
        try:
            validate_ordering(request.max, request.mid, request.min)
        except CalibrationError as exc:
            self.get_logger().error(f"set_car_cal: calibration rejected: {exc}")
            return response
        forwarded = SetCalibrationSrv.Request(cal_type=request.cal_type, max=request.max, mid=request.mid,
                                              min=request.min, polarity=request.polarity)
        try:
            response.error = int(self.call(self.servo_set_cal_client, forwarded).error)
        except ServiceError as exc:
            self.get_logger().error(f"set_car_cal: {exc}")
        return response

    def _get_car_led(self, request: Any, response: Any) -> Any:
        # GetLedCtrlSrv has no error field: -1 in every channel marks the refusal.
        response.red = response.green = response.blue = -1
        if not self.machine.in_calibration():
            self._not_calibrating("get_car_led")
            return response
        try:
            result = self.call(self.servo_get_led_client, GetLedCtrlSrv.Request())
        except ServiceError as exc:
            self.get_logger().error(f"get_car_led: {exc}")
            return response
        response.red, response.green, response.blue = result.red, result.green, result.blue
        return response

    def _set_car_led(self, request: Any, response: Any) -> Any:
        response.error = 1
        if not self.machine.in_calibration():
            self._not_calibrating("set_car_led")
            return response
        forwarded = SetLedCtrlSrv.Request(red=request.red, green=request.green, blue=request.blue)
        try:
            response.error = int(self.call(self.servo_set_led_client, forwarded).error)
        except ServiceError as exc:
            self.get_logger().error(f"set_car_led: {exc}")
        return response

    def _model_state(self, request: Any, response: Any) -> Any:
        response.error = self.machine.start_model_load(ModelLoadRequest.from_fields(request))
        return response

    def _is_model_loading(self, request: Any, response: Any) -> Any:
        response.model_loading_status = self.machine.model_loading_status()
        response.error = 0
        return response

    def _autonomous_throttle(self, request: Any, response: Any) -> Any:
        response.error = 1
        throttle = float(request.throttle)
        if not 0.0 <= throttle <= 1.0:
            self.get_logger().error(f"autonomous_throttle: {throttle} is outside 0.0..1.0")
            return response
        try:
            result = self.call(self.nav_throttle_client, NavThrottleSrv.Request(throttle=throttle))
        except ServiceError as exc:
            self.get_logger().error(f"autonomous_throttle: {exc}")
            return response
        response.error = int(result.error)
        if response.error == 0:
            self._throttle = throttle
            self._throttle_wanted = False  # navigation has it
            self._save_intent()
        return response

    def _get_ctrl_modes(self, request: Any, response: Any) -> Any:
        response.modes = [int(mode) for mode in DriveMode]
        response.error = 0
        return response

    def on_shutdown(self) -> None:
        """Leave the car stopped: neutral command and servo power off (best effort)."""
        try:
            self.machine.set_enabled(False)
        except Exception as exc:  # shutting down: never raise
            self.get_logger().error(f"stopping on shutdown failed: {exc}")
        self.servo_power.close()


def main(args: list[str] | None = None) -> None:
    from node_host.host import run_nodes

    run_nodes([CtrlNode], args=args)


if __name__ == "__main__":
    main()
