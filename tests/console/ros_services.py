"""Test ROS service servers standing in for ctrl_pkg, i2c_pkg, device_info_pkg and sensor_fusion_pkg.

They answer with real messages like the original nodes and record every request, so a test can
check what the console's bridge node actually sent over the graph.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from deepracer_interfaces_pkg.srv import (
    ActiveStateSrv,
    BatteryLevelSrv,
    EnableStateSrv,
    GetCalibrationSrv,
    GetCtrlModesSrv,
    GetDeviceInfoSrv,
    GetLedCtrlSrv,
    GetModelLoadingStatusSrv,
    LidarConfigSrv,
    ModelStateSrv,
    NavThrottleSrv,
    SensorStatusCheckSrv,
    SetCalibrationSrv,
    SetLedCtrlSrv,
)
from rclpy.callback_groups import ReentrantCallbackGroup
from std_srvs.srv import Trigger


class FakeVehicleServices:
    """Services of the original ctrl_node & co. on `node` (Reentrant group: a slow one blocks no other)."""

    def __init__(self, node: Any) -> None:
        self.lock = threading.Lock()
        self.requests: list[tuple[str, Any]] = []
        self.state = 0
        self.calibration = {0: [1700000, 1450000, 1200000, 1], 1: [1603500, 1446000, 1311000, -1]}
        self.led = [0, 0, 10000000]
        self.battery_delay_s = 0.0  # > service timeout: the console must not wait forever
        group = ReentrantCallbackGroup()
        specs = {
            "/ctrl_pkg/vehicle_state": (ActiveStateSrv, self._vehicle_state),
            "/ctrl_pkg/enable_state": (EnableStateSrv, self._ok),
            "/ctrl_pkg/get_car_cal": (GetCalibrationSrv, self._get_cal),
            "/ctrl_pkg/set_car_cal": (SetCalibrationSrv, self._set_cal),
            "/ctrl_pkg/get_car_led": (GetLedCtrlSrv, self._get_led),
            "/ctrl_pkg/set_car_led": (SetLedCtrlSrv, self._set_led),
            "/ctrl_pkg/model_state": (ModelStateSrv, self._ok),
            "/ctrl_pkg/is_model_loading": (GetModelLoadingStatusSrv, self._loading),
            "/ctrl_pkg/autonomous_throttle": (NavThrottleSrv, self._throttle),
            "/ctrl_pkg/get_ctrl_modes": (GetCtrlModesSrv, self._modes),
            "/ctrl_pkg/emergency_stop": (Trigger, self._estop),
            "/i2c_pkg/battery_level": (BatteryLevelSrv, self._battery),
            "/device_info_pkg/get_device_info": (GetDeviceInfoSrv, self._device_info),
            "/sensor_fusion_pkg/sensor_data_status": (SensorStatusCheckSrv, self._sensors),
            "/sensor_fusion_pkg/configure_lidar": (LidarConfigSrv, self._ok),
        }
        self.services = [node.create_service(srv, name, self._recording(name, handler), callback_group=group)
                         for name, (srv, handler) in specs.items()]

    def _recording(self, name: str, handler: Any) -> Any:
        def callback(request: Any, response: Any) -> Any:
            with self.lock:
                self.requests.append((name, request))
            return handler(request, response)

        return callback

    def received(self, name: str) -> list[Any]:
        with self.lock:
            return [r for n, r in self.requests if n == name]

    # -- handlers like the original ctrl_node --------------------------------------------------
    def _ok(self, _request: Any, response: Any) -> Any:
        response.error = 0
        return response

    def _vehicle_state(self, request: Any, response: Any) -> Any:
        if request.state not in (0, 1, 2):
            response.error = 1
            return response
        self.state = request.state
        response.error = 0
        return response

    def _get_cal(self, request: Any, response: Any) -> Any:
        values = self.calibration[request.cal_type] if self.state == 2 else [0, 0, 0, 0]
        response.max, response.mid, response.min, response.polarity = values
        response.error = 0
        return response

    def _set_cal(self, request: Any, response: Any) -> Any:
        self.calibration[request.cal_type] = [request.max, request.mid, request.min, request.polarity]
        response.error = 0
        return response

    def _get_led(self, _request: Any, response: Any) -> Any:
        response.red, response.green, response.blue = self.led
        return response

    def _set_led(self, request: Any, response: Any) -> Any:
        values = [request.red, request.green, request.blue]
        response.error = 0 if all(0 <= v <= 10000000 for v in values) else 1
        if response.error == 0:
            self.led = values
        return response

    def _loading(self, _request: Any, response: Any) -> Any:
        response.model_loading_status = "loaded"
        response.error = 0
        return response

    def _throttle(self, request: Any, response: Any) -> Any:
        response.error = 0 if 0.0 <= request.throttle <= 1.0 and self.state == 1 else 1
        return response

    def _modes(self, _request: Any, response: Any) -> Any:
        response.modes = [0, 1, 2]
        response.error = 0
        return response

    def _estop(self, _request: Any, response: Any) -> Any:
        response.success = True
        response.message = "stopped"
        return response

    def _battery(self, _request: Any, response: Any) -> Any:
        if self.battery_delay_s:
            time.sleep(self.battery_delay_s)  # a stuck node: answers far too late
        response.level = 7
        return response

    def _device_info(self, _request: Any, response: Any) -> Any:
        response.hardware_version = "R2.0"
        response.software_version = "2.0.1"
        response.cpu_model, response.ram_amount, response.disk_amount = "Intel Atom E3930", "3842", "29GB"
        response.os_version, response.ros_distro = "Ubuntu 22.04.5 LTS", "humble"
        response.error = 0
        return response

    def _sensors(self, _request: Any, response: Any) -> Any:
        response.lidar_status, response.single_camera_status, response.stereo_camera_status = 1, 0, 1
        response.error = 0
        return response
