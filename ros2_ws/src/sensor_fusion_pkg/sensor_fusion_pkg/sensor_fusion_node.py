"""sensor_fusion_node: camera images + processed LiDAR -> /sensor_fusion_pkg/sensor_msg (EvoSensorMsg).

Thin adapter over `perception` (the original's LiDAR processing, overlay and sensor status). One
EvoSensorMsg per camera message, its JPEG images forwarded as they are (community dialect). The
overlay is drawn on the camera message's first image, decoded straight to 160x120 only while someone
subscribes to an overlay topic. See README.md.

The LiDAR configuration of the loaded model (`configure_lidar`) is saved for the current launcher run
(`runtime.run_state`), so a restarted sensors process feeds the model the same LiDAR data.
"""

from __future__ import annotations

import array
from typing import Any

from camera_pkg.images import from_compressed_msg, stamp_to_ns, to_compressed_msg, to_image_msg
from deepracer_interfaces_pkg.msg import CameraMsg, EvoSensorMsg
from deepracer_interfaces_pkg.srv import LidarConfigSrv, SensorStatusCheckSrv
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import CompressedImage, Image, LaserScan

from perception.lidar_overlay import LidarOverlay
from perception.lidar_processing import LidarProcessor
from perception.sensor_config import load_sensor_configuration, rounded_lidar
from perception.sensor_status import SensorStatusTracker
from runtime import run_state
from vehicle.lidar import LidarConfig, lidar_config_problem
from vehicle.model_load import MODEL_IMAGE_HEIGHT, MODEL_IMAGE_WIDTH

RUN_STATE_NAME = "sensor_fusion"
# How the camera and LiDAR streams are read (here and by inference_node): the newest sample only,
# from reliable and best-effort publishers alike.
SENSOR_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.BEST_EFFORT)


class SensorFusionNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "sensor_fusion_pkg")
        super().__init__("sensor_fusion_node", **kwargs)
        self.get_logger().info("sensor_fusion_node started")
        self.declare_parameter("image_transport", "raw")  # accepted for compatibility; raw is used
        self.declare_parameter("enable_overlay", True)
        self.declare_parameter("config_file", "")
        self.declare_parameter("jpeg_quality", 80)
        self.enable_overlay = bool(self.get_parameter("enable_overlay").value)
        self.jpeg_quality = int(self.get_parameter("jpeg_quality").value)
        config_file = str(self.get_parameter("config_file").value or "") or None
        config, problem = load_sensor_configuration(config_file)
        if problem:
            self.get_logger().error(f"Sensor configuration: {problem}")
        self.processor = LidarProcessor(config)
        self._restore_lidar_config()
        self.overlay = LidarOverlay(config.overlay)
        self.status = SensorStatusTracker()

        self.sensor_pub = self.create_publisher(EvoSensorMsg, "/sensor_fusion_pkg/sensor_msg", 1)
        self.overlay_pub = self.create_publisher(Image, "/sensor_fusion_pkg/overlay_msg", 1)
        self.overlay_compressed_pub = self.create_publisher(
            CompressedImage, "/sensor_fusion_pkg/overlay_msg/compressed",
            QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
        sensor_qos = SENSOR_QOS
        self.create_subscription(LaserScan, "/rplidar_ros/scan", self._on_scan, sensor_qos,
                                 callback_group=MutuallyExclusiveCallbackGroup())
        self.create_subscription(CameraMsg, "/camera_pkg/video_mjpeg", self._on_camera, sensor_qos,
                                 callback_group=MutuallyExclusiveCallbackGroup())
        services = MutuallyExclusiveCallbackGroup()
        self.create_service(SensorStatusCheckSrv, "/sensor_fusion_pkg/sensor_data_status", self._sensor_status,
                            callback_group=services)
        self.create_service(LidarConfigSrv, "/sensor_fusion_pkg/configure_lidar", self._configure_lidar,
                            callback_group=services)

    def _restore_lidar_config(self) -> None:
        saved = run_state.load(RUN_STATE_NAME)
        if saved is None or not isinstance(saved.get("lidar"), dict):
            return
        try:
            cfg = rounded_lidar(LidarConfig.from_mapping(saved["lidar"]))
        except (KeyError, TypeError, ValueError, OverflowError):
            return
        if lidar_config_problem(cfg) is None:
            self.processor.set_lidar_config(cfg)
            self.get_logger().info("restarted: the model's lidar configuration is in use again")

    # -- subscriptions
    def _on_scan(self, msg: LaserScan) -> None:
        try:
            self.status.lidar_seen()
            self.processor.on_scan(msg.angle_min, msg.angle_increment, msg.ranges)
        except Exception as exc:
            self.get_logger().error(f"LiDAR callback failed: {exc!r}")

    def _on_camera(self, msg: CameraMsg) -> None:
        try:
            self.status.camera_seen(len(msg.images))
            if self.sensor_pub.get_subscription_count() > 0:  # inference subscribes only while it runs
                out = EvoSensorMsg()
                out.images = msg.images
                out.lidar_data = array.array("f", self.processor.lidar_data())
                self.sensor_pub.publish(out)
        except Exception as exc:
            self.get_logger().error(f"Camera callback failed: {exc!r}")
        if msg.images:
            self._overlay(msg.images[0])

    def _overlay(self, msg: CompressedImage) -> None:
        if not self.enable_overlay:
            return
        if self.overlay_pub.get_subscription_count() == 0 and self.overlay_compressed_pub.get_subscription_count() == 0:
            return  # nobody looks at the overlay: don't decode nor draw it 30 times a second
        try:
            image = from_compressed_msg(msg, "bgr", MODEL_IMAGE_WIDTH, MODEL_IMAGE_HEIGHT, scaled=True)
            blended = self.overlay.render(image, self.processor.overlay_bits())
            stamp = stamp_to_ns(msg.header.stamp)
            self.overlay_pub.publish(to_image_msg(blended, stamp, msg.header.frame_id))
            if self.overlay_compressed_pub.get_subscription_count() > 0:
                self.overlay_compressed_pub.publish(
                    to_compressed_msg(blended, stamp, msg.header.frame_id, self.jpeg_quality))
        except Exception as exc:
            self.get_logger().error(f"Overlay failed: {exc!r}")

    # -- services
    def _sensor_status(self, _request: SensorStatusCheckSrv.Request,
                       response: SensorStatusCheckSrv.Response) -> SensorStatusCheckSrv.Response:
        for name, value in self.status.status().fields().items():
            setattr(response, name, value)
        response.error = 0
        return response

    def _configure_lidar(self, request: LidarConfigSrv.Request,
                         response: LidarConfigSrv.Response) -> LidarConfigSrv.Response:
        cfg = rounded_lidar(LidarConfig.from_fields(request))
        problem = lidar_config_problem(cfg)
        if problem:
            self.get_logger().error(f"Incorrect lidar configuration values: {problem}")
            response.error = 1
            return response
        self.processor.set_lidar_config(cfg)
        run_state.save(RUN_STATE_NAME, {"lidar": cfg.fields()})
        self.get_logger().info("Setting the lidar configuration values for the model")
        response.error = 0
        return response


def main(args: list[str] | None = None) -> None:
    from node_host.host import run_nodes

    raise SystemExit(run_nodes([SensorFusionNode], args=args, executor_kind="single"))


if __name__ == "__main__":
    main()
