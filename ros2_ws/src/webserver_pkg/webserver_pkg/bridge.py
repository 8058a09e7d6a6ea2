"""The device console's ROS 2 bridge: `WebserverPublisherNode` (the process entry point, which also
starts the console, is `webserver_pkg.webserver_publisher_node`).

The node implements `device_console.car.Car` for the FastAPI app:
- publishes `/webserver_pkg/manual_drive` and `/webserver_pkg/calibration_drive` (ServoCtrlMsg);
- calls the ctrl_pkg, device_info_pkg, i2c_pkg, sensor_fusion_pkg and deepracer_systems_pkg services
  with `call_async`, awaited from the web server's event loop (never blocking it), with a short wait
  for the service to exist and a timeout for the answer, raising `CarUnavailable` / `CarError`;
- feeds camera (`/camera_pkg/display_mjpeg/compressed`: the camera's JPEG, passed through) and LiDAR-overlay
  (`/sensor_fusion_pkg/overlay_msg`) frames into the console's MJPEG stream hub;
- keeps the last `/deepracer_systems_pkg/software_update_pct` for the update page.

Image subscriptions come and go with the stream's viewers: they are created and destroyed on the
executor's thread (`executor.create_task`), never from the web server's thread while the executor
spins.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from deepracer_interfaces_pkg.msg import ServoCtrlMsg, SoftwareUpdatePctMsg
from deepracer_interfaces_pkg.srv import (
    ActiveStateSrv,
    BatteryLevelSrv,
    BeginSoftwareUpdateSrv,
    EnableStateSrv,
    GetCalibrationSrv,
    GetCtrlModesSrv,
    GetDeviceInfoSrv,
    GetDeviceStatusSrv,
    GetLedCtrlSrv,
    GetModelLoadingStatusSrv,
    LidarConfigSrv,
    ModelStateSrv,
    NavThrottleSrv,
    OTGLinkStateSrv,
    SensorStatusCheckSrv,
    SetCalibrationSrv,
    SetLedCtrlSrv,
    SoftwareUpdateCheckSrv,
    SoftwareUpdateStateSrv,
)
from node_host.ros_helpers import SENSOR_QOS
from rclpy.client import Client
from rclpy.node import Node
from sensor_msgs.msg import CompressedImage, Image
from std_srvs.srv import Trigger

from device_console.car import CarError, CarUnavailable, UpdateProgress
from device_console.core.config import CAMERA_TOPIC, OVERLAY_TOPIC
from device_console.streaming import StreamHub
from perception.images import ImageDecodeError, decode_bgr
from vehicle.calibration import CalibrationRange
from vehicle.lidar import LidarConfigRequest
from vehicle.model_load import ModelLoadRequest
from vehicle.status import DeviceInfo, DeviceStatus, SensorStatus

MANUAL_DRIVE_TOPIC = "/webserver_pkg/manual_drive"
CALIBRATION_DRIVE_TOPIC = "/webserver_pkg/calibration_drive"
CAMERA_COMPRESSED_TOPIC = CAMERA_TOPIC + "/compressed"
UPDATE_PCT_TOPIC = "/deepracer_systems_pkg/software_update_pct"

SERVICES: dict[str, Any] = {
    "/ctrl_pkg/vehicle_state": ActiveStateSrv,
    "/ctrl_pkg/enable_state": EnableStateSrv,
    "/ctrl_pkg/get_car_cal": GetCalibrationSrv,
    "/ctrl_pkg/set_car_cal": SetCalibrationSrv,
    "/ctrl_pkg/get_car_led": GetLedCtrlSrv,
    "/ctrl_pkg/set_car_led": SetLedCtrlSrv,
    "/ctrl_pkg/model_state": ModelStateSrv,
    "/ctrl_pkg/is_model_loading": GetModelLoadingStatusSrv,
    "/ctrl_pkg/autonomous_throttle": NavThrottleSrv,
    "/ctrl_pkg/get_ctrl_modes": GetCtrlModesSrv,
    "/ctrl_pkg/emergency_stop": Trigger,
    "/device_info_pkg/get_device_info": GetDeviceInfoSrv,
    "/device_info_pkg/get_device_status": GetDeviceStatusSrv,
    "/i2c_pkg/battery_level": BatteryLevelSrv,
    "/sensor_fusion_pkg/sensor_data_status": SensorStatusCheckSrv,
    "/sensor_fusion_pkg/configure_lidar": LidarConfigSrv,
    "/deepracer_systems_pkg/get_otg_link_state": OTGLinkStateSrv,
    "/deepracer_systems_pkg/software_update_check": SoftwareUpdateCheckSrv,
    "/deepracer_systems_pkg/begin_update": BeginSoftwareUpdateSrv,
    "/deepracer_systems_pkg/software_update_state": SoftwareUpdateStateSrv,
}

RESEND_CHECK_S = 0.5  # while a call waits: how often to look for a new process serving it

IMAGE_QOS = SENSOR_QOS


def _set_future(target: asyncio.Future[Any], source: Any) -> None:
    if target.done():
        return
    exc = source.exception()
    if exc is not None:
        target.set_exception(exc)
    else:
        target.set_result(source.result())


class WebserverPublisherNode(Node):
    """The console's view of the car (implements device_console.car.Car)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "webserver_pkg")
        super().__init__("webserver_publisher_node", **kwargs)
        self.declare_parameter("port", -1)  # HTTP; -1 = 80 on the car (redirect), 8080 on the simulated car
        self.declare_parameter("https_port", -1)  # -1 = 443 on the car, 8443 simulated; 0 = no HTTPS
        self.declare_parameter("host", "0.0.0.0")
        self.declare_parameter("service_timeout", 10.0)  # s to wait for an answer
        self.declare_parameter("service_wait", 2.0)  # s to wait for a missing service to appear
        self.declare_parameter("update_check_timeout", 180.0)
        self.service_timeout = float(self.get_parameter("service_timeout").value)
        self.service_wait = float(self.get_parameter("service_wait").value)
        self.update_check_timeout = float(self.get_parameter("update_check_timeout").value)

        # Image topics are subscribed only while a browser watches a stream: an idle console costs
        # the car nothing (no JPEG encoding in the camera node, no image traffic at 30 fps).
        self._hub = StreamHub([CAMERA_TOPIC, OVERLAY_TOPIC], on_watch=self._on_watch)
        self._image_subs: dict[str, list[Any]] = {}
        self._image_subs_lock = threading.Lock()
        self._progress: UpdateProgress | None = None
        self._progress_lock = threading.Lock()

        self._manual_pub = self.create_publisher(ServoCtrlMsg, MANUAL_DRIVE_TOPIC, 1)
        self._calibration_pub = self.create_publisher(ServoCtrlMsg, CALIBRATION_DRIVE_TOPIC, 1)
        self.create_subscription(SoftwareUpdatePctMsg, UPDATE_PCT_TOPIC, self._on_update_pct, 1)
        self._service_clients: dict[str, Client] = {
            name: self.create_client(srv_type, name)
            for name, srv_type in SERVICES.items()
        }
        self.get_logger().info("webserver_publisher_node ready: publishing "
                               f"{MANUAL_DRIVE_TOPIC} and {CALIBRATION_DRIVE_TOPIC}")

    # -- topics ------------------------------------------------------------------------------
    def publish_manual_drive(self, angle: float, throttle: float) -> None:
        self._manual_pub.publish(ServoCtrlMsg(angle=float(angle), throttle=float(throttle)))

    def publish_calibration_drive(self, angle: float, throttle: float) -> None:
        self._calibration_pub.publish(ServoCtrlMsg(angle=float(angle), throttle=float(throttle)))

    def drive_listeners(self, channel: str) -> int:
        publisher = self._calibration_pub if channel == "calibration" else self._manual_pub
        return int(publisher.get_subscription_count())

    @property
    def stream_hub(self) -> StreamHub:
        return self._hub

    def update_progress(self) -> UpdateProgress | None:
        with self._progress_lock:
            return self._progress

    def _on_update_pct(self, msg: SoftwareUpdatePctMsg) -> None:
        with self._progress_lock:
            self._progress = UpdateProgress(update_pct=float(msg.update_pct), status=str(msg.status))

    def _on_watch(self, topic: str, watched: bool) -> None:
        """Subscribe to a stream's image topics when its first viewer comes, drop them when the last goes
        (on the executor's thread, in the order asked)."""
        executor = self.executor
        if executor is None:
            self._apply_watch(topic, watched)
        else:
            executor.create_task(self._apply_watch, topic, watched)

    def _apply_watch(self, topic: str, watched: bool) -> None:
        with self._image_subs_lock:
            if watched and topic not in self._image_subs:
                if topic == CAMERA_TOPIC:
                    # the camera's own JPEG only (passed through to viewers as it is): subscribing to
                    # the raw topic as well would make the camera node decode every frame for nothing
                    subs = [self.create_subscription(CompressedImage, CAMERA_COMPRESSED_TOPIC, self._on_camera_jpeg,
                                                     IMAGE_QOS)]
                else:
                    subs = [self.create_subscription(Image, OVERLAY_TOPIC, self._on_overlay_image, IMAGE_QOS)]
                self._image_subs[topic] = subs
            elif not watched:
                for sub in self._image_subs.pop(topic, []):
                    self.destroy_subscription(sub)

    def _on_camera_jpeg(self, msg: CompressedImage) -> None:
        if self._hub.viewers(CAMERA_TOPIC) and "jp" in msg.format.lower():
            self._hub.publish_jpeg(CAMERA_TOPIC, bytes(msg.data))

    def _on_image(self, topic: str, msg: Image) -> None:
        if not self._hub.viewers(topic):
            return  # nobody watches: skip the conversion
        try:
            image = decode_bgr(msg.data, msg.width, msg.height, msg.encoding, msg.step)
        except ImageDecodeError:
            return  # not an image the stream can show
        self._hub.publish_bgr(topic, image)

    def _on_overlay_image(self, msg: Image) -> None:
        self._on_image(OVERLAY_TOPIC, msg)

    # -- service calls -----------------------------------------------------------------------
    async def call(self, name: str, request: Any, timeout: float | None = None) -> Any:
        """Call a service from an asyncio loop without blocking it; CarUnavailable if it cannot answer."""
        client = self._service_clients[name]
        loop = asyncio.get_running_loop()
        wait_until = loop.time() + self.service_wait
        while not client.service_is_ready():
            if loop.time() >= wait_until:
                raise CarUnavailable(f"The service {name} is not available.")
            await asyncio.sleep(0.05)
        timeout = self.service_timeout if timeout is None else timeout
        deadline = loop.time() + timeout
        answer: asyncio.Future[Any] = loop.create_future()

        def done(source: Any) -> None:
            try:
                loop.call_soon_threadsafe(_set_future, answer, source)
            except RuntimeError:  # the event loop is closed: nobody waits any more
                pass

        servers = self._servers(name)
        future = client.call_async(request)
        future.add_done_callback(done)
        try:
            while True:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise asyncio.TimeoutError
                try:
                    return await asyncio.wait_for(asyncio.shield(answer), min(remaining, RESEND_CHECK_S))
                except asyncio.TimeoutError:
                    now_serving = self._servers(name)
                    if not now_serving - servers:
                        continue
                    # A new process serves it now: the one asked was probably a restarted process's
                    # ghost (DDS keeps a killed process on the graph for its lease), so ask again.
                    servers = now_serving
                    client.remove_pending_request(future)
                    future = client.call_async(request)
                    future.add_done_callback(done)
        except asyncio.TimeoutError:
            client.remove_pending_request(future)
            raise CarUnavailable(f"The service {name} did not answer within {timeout:g} s.") from None
        except asyncio.CancelledError:
            client.remove_pending_request(future)
            raise

    def _servers(self, name: str) -> set[bytes]:
        """GIDs of the processes serving `name` now (its request readers on the graph)."""
        try:
            return {bytes(info.endpoint_gid)
                    for info in self.get_subscriptions_info_by_topic(f"rq{name}Request", no_mangle=True)}
        except Exception:  # the graph cannot be read (shutting down): no resend
            return set()

    @staticmethod
    def _check(name: str, error: int) -> None:
        if error != 0:
            raise CarError(f"The service {name} answered with error {error}.")

    async def _error_call(self, name: str, request: Any, timeout: float | None = None) -> Any:
        response = await self.call(name, request, timeout)
        self._check(name, int(response.error))
        return response

    async def set_vehicle_state(self, state: int) -> None:
        await self._error_call("/ctrl_pkg/vehicle_state", ActiveStateSrv.Request(state=int(state)))

    async def enable_state(self, active: bool) -> None:
        await self._error_call("/ctrl_pkg/enable_state", EnableStateSrv.Request(is_active=bool(active)))

    async def get_calibration(self, cal_type: int) -> CalibrationRange:
        r = await self._error_call("/ctrl_pkg/get_car_cal", GetCalibrationSrv.Request(cal_type=int(cal_type)))
        return CalibrationRange.from_fields(r)

    async def set_calibration(self, cal_type: int, calibration: CalibrationRange) -> None:
        await self._error_call("/ctrl_pkg/set_car_cal",
                               SetCalibrationSrv.Request(cal_type=int(cal_type), **calibration.as_dict()))

    async def get_led(self) -> tuple[int, int, int]:
        r = await self.call("/ctrl_pkg/get_car_led", GetLedCtrlSrv.Request())
        return int(r.red), int(r.green), int(r.blue)

    async def set_led(self, red: int, green: int, blue: int) -> None:
        await self._error_call("/ctrl_pkg/set_car_led",
                               SetLedCtrlSrv.Request(red=int(red), green=int(green), blue=int(blue)))

    async def model_state(self, request: ModelLoadRequest) -> None:
        await self._error_call("/ctrl_pkg/model_state", ModelStateSrv.Request(**request.fields()))

    async def model_loading_status(self) -> str:
        r = await self._error_call("/ctrl_pkg/is_model_loading", GetModelLoadingStatusSrv.Request())
        return str(r.model_loading_status)

    async def set_autonomous_throttle(self, throttle: float) -> None:
        await self._error_call("/ctrl_pkg/autonomous_throttle", NavThrottleSrv.Request(throttle=float(throttle)))

    async def ctrl_modes(self) -> list[int]:
        r = await self._error_call("/ctrl_pkg/get_ctrl_modes", GetCtrlModesSrv.Request())
        return [int(m) for m in r.modes]

    async def emergency_stop(self) -> None:
        r = await self.call("/ctrl_pkg/emergency_stop", Trigger.Request())
        if not r.success:
            raise CarError(r.message or "The emergency stop was refused.")

    async def device_info(self) -> DeviceInfo:
        r = await self._error_call("/device_info_pkg/get_device_info", GetDeviceInfoSrv.Request())
        return DeviceInfo.from_fields(r)

    async def device_status(self) -> DeviceStatus:
        r = await self._error_call("/device_info_pkg/get_device_status", GetDeviceStatusSrv.Request())
        return DeviceStatus.from_fields(r)

    async def battery_level(self) -> int:
        r = await self.call("/i2c_pkg/battery_level", BatteryLevelSrv.Request())
        return int(r.level)

    async def sensor_status(self) -> SensorStatus:
        r = await self._error_call("/sensor_fusion_pkg/sensor_data_status", SensorStatusCheckSrv.Request())
        return SensorStatus.from_fields(r)

    async def configure_lidar(self, request: LidarConfigRequest) -> None:
        await self._error_call("/sensor_fusion_pkg/configure_lidar", LidarConfigSrv.Request(**request.fields()))

    async def otg_link_state(self) -> bool:
        r = await self.call("/deepracer_systems_pkg/get_otg_link_state", OTGLinkStateSrv.Request())
        return bool(r.link_state)

    async def software_update_check(self, force: bool) -> int:
        r = await self.call("/deepracer_systems_pkg/software_update_check",
                            SoftwareUpdateCheckSrv.Request(force_update_check=int(bool(force))),
                            timeout=self.update_check_timeout)
        return int(r.software_update_state)

    async def begin_software_update(self, sleep_time_before_reboot: int) -> bool:
        r = await self.call("/deepracer_systems_pkg/begin_update",
                            BeginSoftwareUpdateSrv.Request(sleep_time_before_reboot=int(sleep_time_before_reboot)))
        return bool(r.response_status)

    async def software_update_state(self) -> int:
        r = await self.call("/deepracer_systems_pkg/software_update_state",
                            SoftwareUpdateStateSrv.Request(request=True))
        return int(r.update_state)

    def on_shutdown(self) -> None:
        """The console is going away: whatever the manual driver did, stop."""
        try:
            self.publish_manual_drive(0.0, 0.0)
        except Exception:  # context already shut down
            pass
