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
from dataclasses import dataclass
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
from node_host.ros_helpers import (
    ServiceCaller,
    command_qos,
    create_deferred_service,
    log_at,
    one_shot,
    read_parameters,
)
from rclpy.client import Client
from rclpy.node import Node
from rclpy.task import Future
from std_srvs.srv import Trigger

from ctrl_pkg.restarts import RestartTracker
from ctrl_pkg.servo_power import ServoPower
from ctrl_pkg.state_machine import CtrlStateMachine, ServiceError
from runtime import run_state
from runtime.steps import Pending, then, wait_for
from vehicle.model_load import ModelLoadRequest
from vehicle.modes import DriveMode

__all__ = ["CtrlNode", "CtrlParams", "command_qos"]

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


@dataclass(frozen=True)
class CtrlParams:
    service_timeout: float = 10.0        # s to wait for a service answer
    optimizer_timeout: float = 300.0     # s to wait for the optimizer and load_model
    command_deadline: float = 0.5        # QoS deadline offered on servo_msg (0 = none)
    activate_camera: bool = True         # media_state(activate) for every new camera process
    restart_watch_period: float = 0.25   # s between looks at the graph for restarted processes
    restart_call_timeout: float = 3.0    # s before a camera activation / throttle restore is sent again


def _error_of(response: Any) -> int:
    return int(response.error)


class _RosPorts:
    """CtrlPorts implemented with the node's publishers and service clients; calls never wait."""

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
        self.node.calls.fire(self.node.inference_state_client, request, "inference_state", quiet_if_missing=True,
                             on_error=self.node.machine.inference_refused if start else None)

    def inference_state(self, start: bool) -> Pending[int]:
        # idempotent: asked again until answered, so a freshly restarted inference process that drops
        # its first answers does not fail the load (the calls after it find the reply path matched)
        request = InferenceStateSrv.Request(start=1 if start else 0, task_type=0)
        return then(self.node.calls.call(self.node.inference_state_client, request, resend_after=RESEND_AFTER_S),
                    _error_of)

    def optimize_model(self, request: ModelLoadRequest) -> Pending[tuple[str, int]]:
        srv = ModelOptimizeSrv.Request(
            model_name=request.model_name, model_metadata_sensors=list(request.model_metadata_sensors),
            training_algorithm=request.training_algorithm, img_format=request.img_format,
            width=request.width, height=request.height, num_channels=request.num_channels,
            lidar_channels=request.lidar_channels, platform=request.platform)
        answer = self.node.calls.call(self.node.optimizer_client, srv, timeout=self.node.params.optimizer_timeout)
        return then(answer, lambda response: (str(response.artifact_path), int(response.error)))

    @staticmethod
    def _load_request(artifact_path: str, pre_process_type: int, action_space_type: int) -> LoadModelSrv.Request:
        return LoadModelSrv.Request(artifact_path=artifact_path, task_type=0,
                                    pre_process_type=pre_process_type, action_space_type=action_space_type)

    def load_model(self, artifact_path: str, pre_process_type: int, action_space_type: int) -> Pending[int]:
        request = self._load_request(artifact_path, pre_process_type, action_space_type)
        return then(self.node.calls.call(self.node.load_model_client, request,
                                         timeout=self.node.params.optimizer_timeout), _error_of)

    def load_action_space(self, artifact_path: str, pre_process_type: int, action_space_type: int) -> Pending[int]:
        request = self._load_request(artifact_path, pre_process_type, action_space_type)
        return then(self.node.calls.call(self.node.action_space_client, request, resend_after=RESEND_AFTER_S),
                    _error_of)


class CtrlNode(Node):
    """Vehicle state machine.

    Subscribes: /webserver_pkg/manual_drive, /deepracer_navigation_pkg/auto_drive,
    /webserver_pkg/calibration_drive.
    Publishes: /ctrl_pkg/servo_msg (autonomous commands keep their source_stamp), /ctrl_pkg/raw_pwm.
    Services: /ctrl_pkg/{vehicle_state, enable_state, emergency_stop, get_car_cal, set_car_cal,
    get_car_led, set_car_led, model_state, is_model_loading, autonomous_throttle, get_ctrl_modes}.
    Every callback returns at once: the services that forward to another node are deferred services
    (`node_host.ros_helpers.create_deferred_service`) answered when the other node has answered, the
    model load and the servo power requests are chains of done callbacks.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "ctrl_pkg")
        super().__init__("ctrl_node", **kwargs)
        self.params = read_parameters(self, CtrlParams)
        self.calls = ServiceCaller(self, timeout=self.params.service_timeout)
        self._create_publishers()
        self._create_clients()
        self.servo_power = ServoPower(self._send_servo_power, lambda s, fn: one_shot(self, s, fn), self._log)
        self._intent_lock = threading.Lock()
        self._throttle: float | None = None   # the last maximum speed navigation accepted
        self.machine = CtrlStateMachine(_RosPorts(self), log=self._log, on_change=self._save_intent)
        self._create_subscriptions()
        self._create_services()
        self._tracker = RestartTracker([*WATCHED_SERVICES, *WATCHED_PUBLISHERS])
        self._camera_wanted = False          # a new camera process waits for media_state(activate)
        self._camera_call: tuple[Future[Any], float] | None = None
        self._throttle_wanted = False        # a new navigation process waits for the maximum speed
        self._throttle_call: tuple[Future[Any], float] | None = None
        self._throttle_sent = 0.0
        self._restore_run_state()
        self.create_timer(self.params.restart_watch_period, self._watch_tick)
        self.get_logger().info(f"ctrl_node started: {self.machine.describe()}; "
                               "press start (enable_state true) to drive")

    # -- set-up ------------------------------------------------------------------------------
    def _create_publishers(self) -> None:
        self.servo_pub = self.create_publisher(ServoCtrlMsg, "/ctrl_pkg/servo_msg",
                                               command_qos(self.params.command_deadline))
        self.raw_pub = self.create_publisher(ServoCtrlMsg, "/ctrl_pkg/raw_pwm", command_qos())

    def _create_clients(self) -> None:
        self.servo_gpio_client: Client[ServoGPIOSrv.Request, ServoGPIOSrv.Response] = self.create_client(
            ServoGPIOSrv, "/servo_pkg/servo_gpio")
        self.servo_get_cal_client: Client[GetCalibrationSrv.Request, GetCalibrationSrv.Response] = self.create_client(
            GetCalibrationSrv, "/servo_pkg/get_calibration")
        self.servo_set_cal_client: Client[SetCalibrationSrv.Request, SetCalibrationSrv.Response] = self.create_client(
            SetCalibrationSrv, "/servo_pkg/set_calibration")
        self.servo_get_led_client: Client[GetLedCtrlSrv.Request, GetLedCtrlSrv.Response] = self.create_client(
            GetLedCtrlSrv, "/servo_pkg/get_led_state")
        self.servo_set_led_client: Client[SetLedCtrlSrv.Request, SetLedCtrlSrv.Response] = self.create_client(
            SetLedCtrlSrv, "/servo_pkg/set_led_state")
        self.optimizer_client: Client[ModelOptimizeSrv.Request, ModelOptimizeSrv.Response] = self.create_client(
            ModelOptimizeSrv, "/model_optimizer_pkg/model_optimizer_server")
        self.load_model_client: Client[LoadModelSrv.Request, LoadModelSrv.Response] = self.create_client(
            LoadModelSrv, "/inference_pkg/load_model")
        self.inference_state_client: Client[InferenceStateSrv.Request, InferenceStateSrv.Response] = self.create_client(
            InferenceStateSrv, "/inference_pkg/inference_state")
        self.nav_throttle_client: Client[NavThrottleSrv.Request, NavThrottleSrv.Response] = self.create_client(
            NavThrottleSrv, "/deepracer_navigation_pkg/navigation_throttle")
        self.action_space_client: Client[LoadModelSrv.Request, LoadModelSrv.Response] = self.create_client(
            LoadModelSrv, "/deepracer_navigation_pkg/load_action_space")
        self.media_client: Client[VideoStateSrv.Request, VideoStateSrv.Response] = self.create_client(
            VideoStateSrv, "/camera_pkg/media_state")

    def _create_subscriptions(self) -> None:
        qos = command_qos()
        self.create_subscription(ServoCtrlMsg, "/webserver_pkg/manual_drive", self._on_manual, qos)
        self.create_subscription(ServoCtrlMsg, "/deepracer_navigation_pkg/auto_drive", self._on_auto, qos)
        self.create_subscription(ServoCtrlMsg, "/webserver_pkg/calibration_drive", self._on_calibration, qos)

    def _create_services(self) -> None:
        self.create_service(ActiveStateSrv, "/ctrl_pkg/vehicle_state", self._vehicle_state)
        self.create_service(EnableStateSrv, "/ctrl_pkg/enable_state", self._enable_state)
        self.create_service(Trigger, "/ctrl_pkg/emergency_stop", self._emergency_stop)
        # these forward to the servo / navigation node and answer when it has answered
        create_deferred_service(self, GetCalibrationSrv, "/ctrl_pkg/get_car_cal", self._get_car_cal)
        create_deferred_service(self, SetCalibrationSrv, "/ctrl_pkg/set_car_cal", self._set_car_cal)
        create_deferred_service(self, GetLedCtrlSrv, "/ctrl_pkg/get_car_led", self._get_car_led)
        create_deferred_service(self, SetLedCtrlSrv, "/ctrl_pkg/set_car_led", self._set_car_led)
        self.create_service(ModelStateSrv, "/ctrl_pkg/model_state", self._model_state)
        self.create_service(GetModelLoadingStatusSrv, "/ctrl_pkg/is_model_loading", self._is_model_loading)
        create_deferred_service(self, NavThrottleSrv, "/ctrl_pkg/autonomous_throttle", self._autonomous_throttle)
        self.create_service(GetCtrlModesSrv, "/ctrl_pkg/get_ctrl_modes", self._get_ctrl_modes)

    def _restore_run_state(self) -> None:
        """A restarted ctrl carries on in the mode, with the model and maximum speed of this launcher run."""
        restored = run_state.load(RUN_STATE_NAME)
        if restored is None:
            return
        description = self.machine.restore(restored)
        throttle = restored.get("throttle")
        if isinstance(throttle, (int, float)) and not isinstance(throttle, bool) and 0.0 <= throttle <= 1.0:
            self._throttle = float(throttle)
            self._throttle_wanted = True
        self.get_logger().warning(f"ctrl_node restarted: carrying on in {description}"
                                  + (f", maximum speed {self._throttle:g}" if self._throttle is not None else ""))

    # -- plumbing ----------------------------------------------------------------------------
    def _log(self, level: str, message: str) -> None:
        log_at(self, level, message)

    def _send_servo_power(self, enabled: bool) -> Pending[int]:
        request = ServoGPIOSrv.Request(enable=SERVO_GPIO_ENABLE if enabled else SERVO_GPIO_DISABLE)
        return then(self.calls.call(self.servo_gpio_client, request), _error_of)

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
        if "camera" in changes.appeared and self.params.activate_camera:
            self._camera_wanted = True
        self._activate_camera()
        self._restore_throttle()
        if self.machine.reload_pending and all(self._tracker.available(name) for name in MODEL_HOLDERS):
            self.machine.reload_if_pending()

    def _pending(self, call: tuple[Future[Any], float] | None, client: Client[Any, Any]) -> tuple[bool, Any]:
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
            self._camera_call = (future, time.monotonic() + self.params.restart_call_timeout)

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
            self._throttle_call = (future, time.monotonic() + self.params.restart_call_timeout)

    def _on_manual(self, msg: ServoCtrlMsg) -> None:
        self.machine.forward_manual(msg.angle, msg.throttle)

    def _on_auto(self, msg: ServoCtrlMsg) -> None:
        stamp_ns = int(msg.source_stamp.sec) * 1_000_000_000 + int(msg.source_stamp.nanosec)
        self.machine.forward_auto(msg.angle, msg.throttle, stamp_ns)

    def _on_calibration(self, msg: ServoCtrlMsg) -> None:
        self.machine.forward_calibration(msg.angle, msg.throttle)

    # -- services ----------------------------------------------------------------------------
    def _vehicle_state(self, request: ActiveStateSrv.Request,
                       response: ActiveStateSrv.Response) -> ActiveStateSrv.Response:
        response.error = self.machine.set_vehicle_state(int(request.state))
        return response

    def _enable_state(self, request: EnableStateSrv.Request,
                      response: EnableStateSrv.Response) -> EnableStateSrv.Response:
        response.error = self.machine.set_enabled(bool(request.is_active))
        return response

    def _emergency_stop(self, request: Trigger.Request, response: Trigger.Response) -> Trigger.Response:
        response.message = self.machine.emergency_stop("/ctrl_pkg/emergency_stop")
        response.success = True
        return response

    async def _forward(self, what: str, client: Client[Any, Any], request: Any) -> Any | None:
        """The answer of the servo or navigation node to a forwarded request; None (logged) if none came."""
        try:
            return await wait_for(self.calls.call(client, request))
        except ServiceError as exc:
            self.get_logger().error(f"{what}: {exc}")
            return None

    async def _get_car_cal(self, request: GetCalibrationSrv.Request,
                           response: GetCalibrationSrv.Response) -> GetCalibrationSrv.Response:
        response.error = 1
        if self.machine.calibration_refusal("get_car_cal") is not None:
            return response
        result = await self._forward("get_car_cal", self.servo_get_cal_client,
                                     GetCalibrationSrv.Request(cal_type=request.cal_type))
        if result is not None:
            response.max, response.mid, response.min = result.max, result.mid, result.min
            response.polarity, response.error = result.polarity, result.error
        return response

    async def _set_car_cal(self, request: SetCalibrationSrv.Request,
                           response: SetCalibrationSrv.Response) -> SetCalibrationSrv.Response:
        response.error = 1
        if (self.machine.calibration_refusal("set_car_cal") is not None
                or self.machine.calibration_problem(request.max, request.mid, request.min) is not None):
            return response
        forwarded = SetCalibrationSrv.Request(cal_type=request.cal_type, max=request.max, mid=request.mid,
                                              min=request.min, polarity=request.polarity)
        result = await self._forward("set_car_cal", self.servo_set_cal_client, forwarded)
        if result is not None:
            response.error = int(result.error)
        return response

    async def _get_car_led(self, request: GetLedCtrlSrv.Request,
                           response: GetLedCtrlSrv.Response) -> GetLedCtrlSrv.Response:
        # GetLedCtrlSrv has no error field: -1 in every channel marks the refusal.
        response.red = response.green = response.blue = -1
        if self.machine.calibration_refusal("get_car_led") is not None:
            return response
        result = await self._forward("get_car_led", self.servo_get_led_client, GetLedCtrlSrv.Request())
        if result is not None:
            response.red, response.green, response.blue = result.red, result.green, result.blue
        return response

    async def _set_car_led(self, request: SetLedCtrlSrv.Request,
                           response: SetLedCtrlSrv.Response) -> SetLedCtrlSrv.Response:
        response.error = 1
        if self.machine.calibration_refusal("set_car_led") is not None:
            return response
        forwarded = SetLedCtrlSrv.Request(red=request.red, green=request.green, blue=request.blue)
        result = await self._forward("set_car_led", self.servo_set_led_client, forwarded)
        if result is not None:
            response.error = int(result.error)
        return response

    def _model_state(self, request: ModelStateSrv.Request,
                     response: ModelStateSrv.Response) -> ModelStateSrv.Response:
        response.error = self.machine.start_model_load(ModelLoadRequest.from_fields(request))
        return response

    def _is_model_loading(self, request: GetModelLoadingStatusSrv.Request,
                          response: GetModelLoadingStatusSrv.Response) -> GetModelLoadingStatusSrv.Response:
        response.model_loading_status = self.machine.model_loading_status()
        response.error = 0
        return response

    async def _autonomous_throttle(self, request: NavThrottleSrv.Request,
                                   response: NavThrottleSrv.Response) -> NavThrottleSrv.Response:
        response.error = 1
        throttle = float(request.throttle)
        if self.machine.throttle_problem(throttle) is not None:
            return response
        result = await self._forward("autonomous_throttle", self.nav_throttle_client,
                                     NavThrottleSrv.Request(throttle=throttle))
        if result is None:
            return response
        response.error = int(result.error)
        if response.error == 0:
            self._throttle = throttle
            self._throttle_wanted = False  # navigation has it
            self._save_intent()
        return response

    def _get_ctrl_modes(self, request: GetCtrlModesSrv.Request,
                        response: GetCtrlModesSrv.Response) -> GetCtrlModesSrv.Response:
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
