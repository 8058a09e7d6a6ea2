"""The vehicle contract: the facts about the car that every part of the stack shares (no ROS, no I/O).

One definition of each, imported by the console, the ctrl state machine, perception, inference, the
drivers and the simulator:

    modes        drive modes of ctrl_pkg (ActiveStateSrv.state, GetCtrlModesSrv.modes)
    calibration  calibration kinds (cal_type) and one actuator's calibration (GetCalibrationSrv fields)
    lidar        LidarConfig: LiDAR pre-processing (LidarConfigSrv, a model's "lidar_config",
                 sensor_configuration.json "lidar"), the configure_lidar rules
    status       sensor status (SensorStatusCheckSrv) and device status (GetDeviceStatusSrv)
    model_load   the model-load request (ModelStateSrv), the loading status, the model image size

Conversions to and from ROS messages need no ROS here: `from_fields(obj)` reads the fields of a
request or response (any object with those attributes), `fields()` gives the keyword arguments that
build one (`LidarConfigSrv.Request(**request.fields())`).
"""
