"""What the car reports about itself: sensor status (SensorStatusCheckSrv), device information
(GetDeviceInfoSrv, community dialect) and device status (GetDeviceStatusSrv / DeviceStatusMsg, the
community's telemetry)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Protocol

SENSOR_CONNECTED = 0
SENSOR_NOT_CONNECTED = 1


class SensorStatusFields(Protocol):
    """The fields of SensorStatusCheckSrv.Response."""

    lidar_status: int
    single_camera_status: int
    stereo_camera_status: int


@dataclass(frozen=True)
class SensorStatus:
    """0 (`SENSOR_CONNECTED`) = connected, anything else = not connected."""

    lidar: int
    single_camera: int
    stereo_camera: int

    @classmethod
    def from_fields(cls, message: SensorStatusFields) -> SensorStatus:
        return cls(lidar=int(message.lidar_status), single_camera=int(message.single_camera_status),
                   stereo_camera=int(message.stereo_camera_status))

    def fields(self) -> dict[str, int]:
        """The fields of SensorStatusCheckSrv.Response (without `error`)."""
        return {"lidar_status": self.lidar, "single_camera_status": self.single_camera,
                "stereo_camera_status": self.stereo_camera}


@dataclass(frozen=True)
class SystemMetrics:
    """Compute-module health: CPU load %, CPU temperature (deg C), current and maximum CPU frequency
    (MHz), memory used %, free disk % (0.0 where the platform does not tell)."""

    cpu_percent: float = 0.0
    cpu_temp: float = 0.0
    cpu_freq: float = 0.0
    cpu_freq_max: float = 0.0
    memory_usage: float = 0.0
    free_disk: float = 0.0


@dataclass(frozen=True)
class DeviceStatus(SystemMetrics):
    """SystemMetrics plus the driving pipeline's latency (camera capture → command, ms) and rate (fps)."""

    latency_mean: float = 0.0
    latency_p95: float = 0.0
    fps_mean: float = 0.0

    @classmethod
    def from_fields(cls, message: object) -> DeviceStatus:
        """From a GetDeviceStatusSrv response or a DeviceStatusMsg."""
        return cls(**{f.name: float(getattr(message, f.name)) for f in fields(cls)})

    def fields(self) -> dict[str, float]:
        """The fields of DeviceStatusMsg (and of GetDeviceStatusSrv.Response without `error`)."""
        return {name: float(value) for name, value in asdict(self).items()}


@dataclass(frozen=True)
class DeviceInfo:
    """GetDeviceInfoSrv (community dialect): versions, and what the compute module is. "--" = unknown.

    As the community's device_info_node: `cpu_model` as lscpu's model name without (R)/(TM),
    `ram_amount` total memory in MiB (as `free -m`), `disk_amount` the root filesystem's size
    (as `df -h`, plus "B": "29GB"), `os_version` the os-release PRETTY_NAME, `ros_distro`."""

    hardware_version: str = "--"
    software_version: str = "--"
    cpu_model: str = "--"
    ram_amount: str = "--"
    disk_amount: str = "--"
    os_version: str = "--"
    ros_distro: str = "--"

    @classmethod
    def from_fields(cls, message: object) -> DeviceInfo:
        """From a GetDeviceInfoSrv response."""
        return cls(**{f.name: str(getattr(message, f.name)) for f in fields(cls)})

    def fields(self) -> dict[str, str]:
        """The fields of GetDeviceInfoSrv.Response (without `error`), unknown values as "--"."""
        return {name: str(value) or "--" for name, value in asdict(self).items()}
