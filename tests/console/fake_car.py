"""A plain-Python `Car` for HTTP-level console tests: records every call, answers like ctrl_pkg.

Not a mock of HTTP: the real app runs against it; it only replaces the ROS graph. Set
`unavailable` / `refusing` to method names to make them raise CarUnavailable / CarError.
"""

from __future__ import annotations

import threading
from typing import Any

from device_console.car import CarError, CarUnavailable, DriveCommand, UpdateProgress
from device_console.core.config import CAMERA_TOPIC, OVERLAY_TOPIC
from device_console.streaming import StreamHub
from vehicle.calibration import CAL_TYPE_MOTOR, CAL_TYPE_SERVO, CalibrationRange
from vehicle.lidar import LidarConfigRequest
from vehicle.model_load import ModelLoadRequest
from vehicle.modes import CALIBRATION
from vehicle.status import DeviceInfo, DeviceStatus, SensorStatus

MANUAL_TOPIC = "/webserver_pkg/manual_drive"
CALIBRATION_TOPIC = "/webserver_pkg/calibration_drive"


class FakeCar:
    def __init__(self) -> None:
        self._hub = StreamHub([CAMERA_TOPIC, OVERLAY_TOPIC])
        self.lock = threading.Lock()
        self.published: list[DriveCommand] = []
        self.calls: list[tuple[str, Any]] = []
        self.unavailable: set[str] = set()
        self.refusing: set[str] = set()
        self.state = 0
        self.active = False
        self.calibration = {
            CAL_TYPE_SERVO: CalibrationRange(max=1700000, mid=1450000, min=1200000, polarity=1),
            CAL_TYPE_MOTOR: CalibrationRange(max=1603500, mid=1446000, min=1311000, polarity=-1),
        }
        self.led = (0, 0, 10000000)
        self.loading_status = "error"
        self.sensors = SensorStatus(lidar=1, single_camera=0, stereo_camera=1)
        self.lidar_config: LidarConfigRequest | None = None
        self.model_requests: list[ModelLoadRequest] = []
        self.throttle = 0.0
        self.battery = 9
        self.otg = False
        self.update_state = 0
        self.progress: UpdateProgress | None = None
        self.estops = 0
        # subscribers of the drive topics (0 = the car's control node is not running)
        self.listeners = {"manual": 1, "calibration": 1}

    # -- helpers -----------------------------------------------------------------------------
    def _enter(self, name: str, args: Any = None) -> None:
        with self.lock:
            self.calls.append((name, args))
        if name in self.unavailable:
            raise CarUnavailable(f"{name}: service not available")
        if name in self.refusing:
            raise CarError(f"{name}: refused")

    def drive_commands(self, topic: str = MANUAL_TOPIC) -> list[tuple[float, float]]:
        with self.lock:
            return [(c.angle, c.throttle) for c in self.published if c.topic == topic]

    def drive_changes(self, topic: str = MANUAL_TOPIC) -> list[tuple[float, float]]:
        """drive_commands without consecutive repeats (the console re-publishes a held command)."""
        changes: list[tuple[float, float]] = []
        for command in self.drive_commands(topic):
            if not changes or changes[-1] != command:
                changes.append(command)
        return changes

    def called(self, name: str) -> list[Any]:
        with self.lock:
            return [args for n, args in self.calls if n == name]

    # -- Car ---------------------------------------------------------------------------------
    def publish_manual_drive(self, angle: float, throttle: float) -> None:
        with self.lock:
            self.published.append(DriveCommand(angle, throttle, MANUAL_TOPIC))

    def publish_calibration_drive(self, angle: float, throttle: float) -> None:
        with self.lock:
            self.published.append(DriveCommand(angle, throttle, CALIBRATION_TOPIC))

    def drive_listeners(self, channel: str) -> int:
        return self.listeners[channel]

    @property
    def stream_hub(self) -> StreamHub:
        return self._hub

    def update_progress(self) -> UpdateProgress | None:
        return self.progress

    async def set_vehicle_state(self, state: int) -> None:
        self._enter("set_vehicle_state", state)
        self.state, self.active = state, False

    async def enable_state(self, active: bool) -> None:
        self._enter("enable_state", active)
        self.active = active

    async def get_calibration(self, cal_type: int) -> CalibrationRange:
        self._enter("get_calibration", cal_type)
        if self.state != CALIBRATION:
            return CalibrationRange(0, 0, 0, 0)  # ctrl_pkg outside calibration mode
        return self.calibration[cal_type]

    async def set_calibration(self, cal_type: int, calibration: CalibrationRange) -> None:
        self._enter("set_calibration", (cal_type, calibration))
        self.calibration[cal_type] = calibration

    async def get_led(self) -> tuple[int, int, int]:
        self._enter("get_led")
        return self.led

    async def set_led(self, red: int, green: int, blue: int) -> None:
        self._enter("set_led", (red, green, blue))
        self.led = (red, green, blue)

    async def model_state(self, request: ModelLoadRequest) -> None:
        self._enter("model_state", request)
        self.model_requests.append(request)
        self.loading_status = "loading"

    async def model_loading_status(self) -> str:
        self._enter("model_loading_status")
        return self.loading_status

    async def set_autonomous_throttle(self, throttle: float) -> None:
        self._enter("set_autonomous_throttle", throttle)
        self.throttle = throttle

    async def ctrl_modes(self) -> list[int]:
        self._enter("ctrl_modes")
        return [0, 1, 2]

    async def emergency_stop(self) -> None:
        self._enter("emergency_stop")
        self.estops += 1

    async def device_info(self) -> DeviceInfo:
        self._enter("device_info")
        return DeviceInfo(hardware_version="R2.1", software_version="2.0.0", cpu_model="Intel Atom E3930 @ 1.30GHz",
                          ram_amount="3842", disk_amount="29GB", os_version="Ubuntu 20.04.6 LTS", ros_distro="foxy")

    async def device_status(self) -> DeviceStatus:
        self._enter("device_status")
        return DeviceStatus(cpu_percent=12.5, cpu_temp=48.0, memory_usage=40.0, fps_mean=15.0)

    async def battery_level(self) -> int:
        self._enter("battery_level")
        return self.battery

    async def sensor_status(self) -> SensorStatus:
        self._enter("sensor_status")
        return self.sensors

    async def configure_lidar(self, request: LidarConfigRequest) -> None:
        self._enter("configure_lidar", request)
        self.lidar_config = request

    async def otg_link_state(self) -> bool:
        self._enter("otg_link_state")
        return self.otg

    async def software_update_check(self, force: bool) -> int:
        self._enter("software_update_check", force)
        return self.update_state

    async def begin_software_update(self, sleep_time_before_reboot: int) -> bool:
        self._enter("begin_software_update", sleep_time_before_reboot)
        return self.update_state == 1

    async def software_update_state(self) -> int:
        self._enter("software_update_state")
        return self.update_state
