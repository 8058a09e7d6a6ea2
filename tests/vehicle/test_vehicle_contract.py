"""The vehicle contract (`vehicle/`): one definition of each vehicle fact, the original's numbers and
names, and conversions that fit the real deepracer_interfaces_pkg messages."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest
from deepracer_interfaces_pkg.msg import DeviceStatusMsg
from deepracer_interfaces_pkg.srv import (
    GetCalibrationSrv,
    GetDeviceStatusSrv,
    LidarConfigSrv,
    ModelStateSrv,
    SensorStatusCheckSrv,
    SetCalibrationSrv,
)

from vehicle.calibration import CAL_TYPE_MOTOR, CAL_TYPE_SERVO, CalibrationKind, CalibrationRange
from vehicle.lidar import (
    LIDAR_CONFIG_KEYS,
    LidarConfig,
    LidarConfigRequest,
    LidarPreprocess,
    lidar_config_problem,
)
from vehicle.model_load import MODEL_IMAGE_HEIGHT, MODEL_IMAGE_WIDTH, ModelLoadRequest
from vehicle.modes import AUTONOMOUS, CALIBRATION, MANUAL, DriveMode
from vehicle.status import DeviceStatus, SensorStatus, SystemMetrics


def test_every_part_of_the_stack_uses_the_one_definition() -> None:
    from ctrl_pkg import state_machine

    import calibration.maths
    import device_console.car
    import inference.metadata
    import perception.sensor_config
    import perception.sensor_status

    assert perception.sensor_config.LidarConfig is LidarConfig
    assert inference.metadata.LidarConfig is LidarConfig
    assert perception.sensor_status.SensorStatus is SensorStatus
    assert calibration.maths.CalibrationRange is CalibrationRange
    assert state_machine.ModelLoadRequest is ModelLoadRequest
    assert state_machine.AUTONOMOUS is AUTONOMOUS
    for copy in ("LidarConfig", "Calibration", "ModelStateRequest", "MANUAL", "CAL_SERVO"):
        assert not hasattr(device_console.car, copy), copy
    assert device_console.car.SensorStatus is SensorStatus and device_console.car.DeviceStatus is DeviceStatus


def test_drive_modes_are_the_originals() -> None:
    assert [(int(m), m.label) for m in DriveMode] == [(0, "manual"), (1, "autonomous"), (2, "calibration")]
    assert (MANUAL, AUTONOMOUS, CALIBRATION) == (0, 1, 2)
    assert DriveMode.of(1) is AUTONOMOUS
    for bad in (3, -1, True, "1", 1.0, None):
        assert DriveMode.of(bad) is None, bad
    assert json.dumps({"state": AUTONOMOUS}) == '{"state": 1}'


def test_calibration_kinds_and_ranges_fit_the_services() -> None:
    assert (int(CAL_TYPE_SERVO), CAL_TYPE_SERVO.file_key) == (0, "Servo")
    assert (int(CAL_TYPE_MOTOR), CAL_TYPE_MOTOR.file_key) == (1, "Motor")
    assert list(CalibrationKind) == [CAL_TYPE_SERVO, CAL_TYPE_MOTOR]
    cal = CalibrationRange(max=1_603_500, mid=1_446_000, min=1_311_000, polarity=-1)
    request = SetCalibrationSrv.Request(cal_type=int(CAL_TYPE_MOTOR), **cal.as_dict())
    assert CalibrationRange.from_fields(request) == cal
    response = GetCalibrationSrv.Response(max=1_700_000, mid=1_450_000, min=1_200_000, polarity=1)
    assert CalibrationRange.from_fields(response) == CalibrationRange(1_700_000, 1_450_000, 1_200_000, 1)
    assert (cal.low, cal.high) == (1_311_000, 1_603_500)


def test_lidar_config_defaults_are_the_sensor_fusion_nodes() -> None:
    cfg = LidarConfig()
    assert cfg.fields() == {"min_angle": -60.0, "max_angle": 60.0, "num_values": 64, "min_distance": 0.15,
                            "max_distance": 1.0, "clipping_distance": 1.0, "num_sectors": 64, "preprocess_type": 0}
    assert tuple(cfg.fields()) == LIDAR_CONFIG_KEYS
    assert [type(v) for v in cfg.fields().values()] == [float, float, int, float, float, float, int, int]
    assert lidar_config_problem(cfg) is None
    assert (cfg.channels, cfg.max_lidar_dist) == (64, 1.0)
    sectors = LidarConfig(num_sectors=8, preprocess_type=LidarPreprocess.SECTORS, clipping_distance=0.5)
    assert (sectors.channels, sectors.max_lidar_dist) == (8, 0.5)


def test_lidar_config_request_fits_lidar_config_srv() -> None:
    cfg = LidarConfig(min_angle=-150.0, max_angle=150.0, num_values=32, min_distance=0.25, max_distance=2.0,
                      clipping_distance=1.5, num_sectors=8, preprocess_type=1)
    request = LidarConfigSrv.Request(**LidarConfigRequest(use_lidar=True, config=cfg).fields())
    assert request.use_lidar is True
    assert LidarConfig.from_fields(request) == cfg


def test_lidar_config_from_a_mapping_checks_every_value() -> None:
    cfg = LidarConfig(num_values=10)
    assert LidarConfig.from_mapping(json.loads(json.dumps(cfg.fields()))) == cfg
    assert LidarConfig.from_mapping({**cfg.fields(), "num_values": 10.0}) == cfg  # a whole float is a count
    with pytest.raises(ValueError, match="num_values must be a whole number"):
        LidarConfig.from_mapping({**cfg.fields(), "num_values": 10.5})
    with pytest.raises(TypeError, match="max_angle must be a number"):
        LidarConfig.from_mapping({**cfg.fields(), "max_angle": "60"})
    with pytest.raises(TypeError):
        LidarConfig.from_mapping({**cfg.fields(), "preprocess_type": True})
    missing = cfg.fields()
    del missing["clipping_distance"]
    with pytest.raises(KeyError):
        LidarConfig.from_mapping(missing)


@pytest.mark.parametrize(("change", "problem"), [
    ({"min_angle": 61.0}, "min_angle 61 is greater than max_angle 60"),
    ({"min_distance": 1.5}, "min_distance 1.5 is greater than max_distance 1"),
    ({"clipping_distance": 0.1}, "min_distance 0.15 is greater than clipping_distance 0.1"),
    ({"num_values": 0}, "num_values must be at least 1"),
    ({"preprocess_type": 2}, "preprocess_type must be 0 (default) or 1 (sector)"),
    ({"preprocess_type": 1, "num_sectors": 65}, "num_sectors must be between 1 and num_values (64)"),
    ({"preprocess_type": 1, "num_sectors": 0}, "num_sectors must be between 1 and num_values (64)"),
])
def test_lidar_config_rules(change: dict[str, float], problem: str) -> None:
    found = lidar_config_problem(LidarConfig(**change))  # type: ignore[arg-type]
    assert found is not None and problem in found
    # sectors do not matter for distance preprocessing (the original accepted anything there)
    assert lidar_config_problem(LidarConfig(num_sectors=0)) is None


def test_sensor_and_device_status_fit_the_messages() -> None:
    status = SensorStatus(lidar=1, single_camera=0, stereo_camera=1)
    response = SensorStatusCheckSrv.Response(**status.fields())
    assert SensorStatus.from_fields(response) == status
    device = DeviceStatus(**vars(SystemMetrics(cpu_percent=12.5, cpu_temp=48.0)), latency_p95=41.0, fps_mean=15.0)
    message = DeviceStatusMsg(**device.fields())
    assert DeviceStatus.from_fields(message) == device
    assert DeviceStatus.from_fields(GetDeviceStatusSrv.Response(**device.fields())) == device


def test_model_load_request_fits_model_state_srv() -> None:
    load = ModelLoadRequest(model_name="Sample_single_cam/model", model_metadata_sensors=[5, 3],  # type: ignore[arg-type]
                            training_algorithm=2, action_space_type=2, lidar_channels=8)
    assert load.model_metadata_sensors == (5, 3)
    assert (load.width, load.height) == (MODEL_IMAGE_WIDTH, MODEL_IMAGE_HEIGHT) == (160, 120)
    request = ModelStateSrv.Request(**load.fields())
    assert list(request.model_metadata_sensors) == [5, 3]
    assert ModelLoadRequest.from_fields(request) == load


def test_model_load_request_survives_json_and_refuses_damage() -> None:
    load = ModelLoadRequest(model_name="m/model", model_metadata_sensors=(1,), pre_process_type=2)
    assert ModelLoadRequest.from_dict(json.loads(json.dumps(load.fields()))) == load
    assert ModelLoadRequest.from_dict({"model_name": "m/model"}) == ModelLoadRequest(model_name="m/model")
    for damaged in (None, [], {}, {"model_name": 5}, {"model_name": "m", "width": "160"},
                    {"model_name": "m", "model_metadata_sensors": ["1"]}, {"model_name": "m", "colour": 1},
                    {"model_name": "m", "width": True}):
        assert ModelLoadRequest.from_dict(damaged) is None, damaged


def test_the_contract_needs_no_ros() -> None:
    code = ("import sys, vehicle.calibration, vehicle.lidar, vehicle.model_load, vehicle.modes, vehicle.status; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rclpy', 'numpy', 'cv2')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
    fields = SimpleNamespace(lidar_status=0, single_camera_status=1, stereo_camera_status=1)
    assert SensorStatus.from_fields(fields) == SensorStatus(0, 1, 1)  # type: ignore[arg-type]
