"""What the console needs from the vehicle, as one injectable interface.

The HTTP layer only talks to a `Car`. On the car (and the simulated car) the implementation is the
ROS bridge `webserver_pkg.webserver_publisher_node.WebserverPublisherNode`, which turns every call
into a ROS service call or publication; tests use a plain-Python fake. Nothing here imports rclpy.

Service-backed methods are coroutines: they never block the event loop. When the vehicle cannot
answer (service missing, timeout) they raise `CarError` with a readable reason; the routes turn that
into the original `{"success": false, "reason": ...}` shape. The facts it speaks in (drive modes,
calibrations, the LiDAR configuration, statuses, the model-load request) are the vehicle contract's
(`vehicle/`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from vehicle.calibration import CalibrationRange
from vehicle.lidar import LidarConfigRequest
from vehicle.model_load import ModelLoadRequest
from vehicle.status import DeviceInfo, DeviceStatus, SensorStatus

if TYPE_CHECKING:
    from device_console.streaming import StreamHub


class CarError(RuntimeError):
    """The vehicle refused a request (a service answered with an error code)."""


class CarUnavailable(CarError):
    """The vehicle did not answer (service not available or timed out)."""


@dataclass(frozen=True)
class UpdateProgress:
    """Last SoftwareUpdatePctMsg seen on /deepracer_systems_pkg/software_update_pct."""

    update_pct: float
    status: str


@dataclass
class DriveCommand:
    """A ServoCtrlMsg as published (for fakes and logs)."""

    angle: float
    throttle: float
    topic: str = field(default="")


@runtime_checkable
class Car(Protocol):
    """Everything the routes need from the vehicle."""

    # -- topics (non-blocking) ---------------------------------------------------------------
    def publish_manual_drive(self, angle: float, throttle: float) -> None:
        """ServoCtrlMsg on /webserver_pkg/manual_drive."""

    def publish_calibration_drive(self, angle: float, throttle: float) -> None:
        """ServoCtrlMsg on /webserver_pkg/calibration_drive (raw PWM ns, -1 = leave alone)."""

    def drive_listeners(self, channel: str) -> int:
        """How many subscribers (ctrl_pkg) the drive topic of `channel` has ("manual" →
        /webserver_pkg/manual_drive, "calibration" → /webserver_pkg/calibration_drive): 0 means the
        car's control node is not running and a command would go nowhere."""

    @property
    def stream_hub(self) -> StreamHub:
        """Latest camera / overlay frames for the MJPEG endpoint."""

    def update_progress(self) -> UpdateProgress | None:
        """Last software-update progress message, None if none was seen."""

    # -- ctrl_pkg ----------------------------------------------------------------------------
    async def set_vehicle_state(self, state: int) -> None:
        """/ctrl_pkg/vehicle_state (a `vehicle.modes.DriveMode`)."""

    async def enable_state(self, active: bool) -> None:
        """/ctrl_pkg/enable_state."""

    async def get_calibration(self, cal_type: int) -> CalibrationRange:
        """/ctrl_pkg/get_car_cal."""

    async def set_calibration(self, cal_type: int, calibration: CalibrationRange) -> None:
        """/ctrl_pkg/set_car_cal."""

    async def get_led(self) -> tuple[int, int, int]:
        """/ctrl_pkg/get_car_led: PWM duty ns of red, green, blue."""

    async def set_led(self, red: int, green: int, blue: int) -> None:
        """/ctrl_pkg/set_car_led with PWM duty ns."""

    async def model_state(self, request: ModelLoadRequest) -> None:
        """/ctrl_pkg/model_state: start loading a model (asynchronous on the vehicle side)."""

    async def model_loading_status(self) -> str:
        """/ctrl_pkg/is_model_loading: "loading" | "loaded" | "error"."""

    async def set_autonomous_throttle(self, throttle: float) -> None:
        """/ctrl_pkg/autonomous_throttle (0..1)."""

    async def ctrl_modes(self) -> list[int]:
        """/ctrl_pkg/get_ctrl_modes."""

    async def emergency_stop(self) -> None:
        """/ctrl_pkg/emergency_stop (std_srvs/Trigger)."""

    # -- other packages ----------------------------------------------------------------------
    async def device_info(self) -> DeviceInfo:
        """/device_info_pkg/get_device_info (community dialect: versions, CPU, RAM, disk, OS, ROS)."""

    async def device_status(self) -> DeviceStatus:
        """/device_info_pkg/get_device_status."""

    async def battery_level(self) -> int:
        """/i2c_pkg/battery_level: -1..11."""

    async def sensor_status(self) -> SensorStatus:
        """/sensor_fusion_pkg/sensor_data_status."""

    async def configure_lidar(self, request: LidarConfigRequest) -> None:
        """/sensor_fusion_pkg/configure_lidar."""

    async def otg_link_state(self) -> bool:
        """/deepracer_systems_pkg/get_otg_link_state."""

    async def software_update_check(self, force: bool) -> int:
        """/deepracer_systems_pkg/software_update_check: update state (-1..3)."""

    async def begin_software_update(self, sleep_time_before_reboot: int) -> bool:
        """/deepracer_systems_pkg/begin_update."""

    async def software_update_state(self) -> int:
        """/deepracer_systems_pkg/software_update_state."""
