"""camera_node: camera frames -> /camera_pkg/video_mjpeg (CameraMsg) and the display streams.

Thin adapter over `drivers.camera.CameraSystem` (discovery, capture threads, stereo pairing,
reconnects). Publishing starts when `/camera_pkg/media_state` is called with activate_video != 0 and
produces one message per new camera frame (the source's rate), each image stamped with its real
capture time. The community dialect: images are the camera's JPEG as it came (CompressedImage, format
"jpeg"), never decoded or encoded again here; only the raw /camera_pkg/display_mjpeg (Image) needs a
decode, done only while someone subscribes to it. See README.md for topics, services and parameters.
"""

from __future__ import annotations

import threading
from typing import Any

from deepracer_interfaces_pkg.msg import CameraMsg
from deepracer_interfaces_pkg.srv import VideoStateSrv
from rcl_interfaces.msg import ParameterDescriptor
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import CompressedImage, Image

from camera_pkg.images import jpeg_msg, to_image_msg
from drivers.camera import DEFAULT_JPEG_QUALITY, CameraSettings, CameraSystem, FrameSet
from perception.images import decode_jpeg
from vehicle.model_load import MODEL_IMAGE_HEIGHT, MODEL_IMAGE_WIDTH


def _device_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


class CameraNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "camera_pkg")
        super().__init__("camera_node", **kwargs)
        self.get_logger().info("camera_node started")
        dynamic = ParameterDescriptor(dynamic_typing=True)
        self.declare_parameter("resize_images", True)
        self.declare_parameter("source", "")
        self.declare_parameter("devices", None, dynamic)
        self.declare_parameter("file", "")
        self.declare_parameter("width", 640)
        self.declare_parameter("height", 480)
        self.declare_parameter("fps", 30.0, dynamic)
        self.declare_parameter("jpeg_quality", DEFAULT_JPEG_QUALITY)
        self.declare_parameter("reconnect_interval", 1.0)
        self.declare_parameter("sim_dir", "")
        self.declare_parameter("hotplug", True)
        self.declare_parameter("rescan_interval", 1.0)
        self.declare_parameter("stall_timeout", 3.0)
        self.resize_images = bool(self.get_parameter("resize_images").value)
        self.jpeg_quality = int(self.get_parameter("jpeg_quality").value)
        self.settings = self._settings()
        self.get_logger().info(
            f"source {self.settings.source}, devices {self.settings.devices or 'scan'}, "
            f"{self.settings.width}x{self.settings.height} @ {self.settings.fps:g} fps, "
            f"resize_images {self.resize_images}")

        self.video_pub = self.create_publisher(CameraMsg, "/camera_pkg/video_mjpeg", 1)
        self.display_pub = self.create_publisher(Image, "/camera_pkg/display_mjpeg", 10)
        self.compressed_pub = self.create_publisher(
            CompressedImage, "/camera_pkg/display_mjpeg/compressed",
            QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE))
        self.create_service(VideoStateSrv, "/camera_pkg/media_state", self._media_state,
                            callback_group=MutuallyExclusiveCallbackGroup())
        self._producing = threading.Event()
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()
        self.published = 0
        self.system = CameraSystem(self.settings, on_event=self._on_camera_event).start()

    def _settings(self) -> CameraSettings:
        from runtime.paths import hardware_mode

        source = str(self.get_parameter("source").value or "").strip().lower()
        if not source:
            source = "sim" if hardware_mode() == "sim" else "v4l2"
        devices = _device_list(self.get_parameter("devices").value)
        file_path = str(self.get_parameter("file").value or "").strip()
        if source == "file" and not devices and file_path:
            devices = [file_path]
        settings = CameraSettings(
            source=source, devices=devices,
            width=int(self.get_parameter("width").value), height=int(self.get_parameter("height").value),
            fps=float(self.get_parameter("fps").value),
            reconnect_interval=float(self.get_parameter("reconnect_interval").value),
            sim_dir=str(self.get_parameter("sim_dir").value or ""), jpeg_quality=self.jpeg_quality,
            hotplug=bool(self.get_parameter("hotplug").value),
            rescan_interval=float(self.get_parameter("rescan_interval").value),
            stall_timeout=float(self.get_parameter("stall_timeout").value))
        try:
            settings.validate()
        except ValueError as exc:
            self.get_logger().error(f"invalid camera parameters: {exc}")
            raise
        return settings

    def _on_camera_event(self, kind: str, message: str) -> None:
        if kind in ("disconnected", "no_camera"):
            self.get_logger().error(message)
        elif kind in ("removed", "stalled"):
            self.get_logger().warn(message)
        else:
            self.get_logger().info(message)

    # -- media_state
    def _stop_worker(self) -> None:
        self._producing.clear()
        worker = self._worker
        if worker is not None:
            worker.join(timeout=5)
        self._worker = None

    def _media_state(self, request: VideoStateSrv.Request, response: VideoStateSrv.Response) -> VideoStateSrv.Response:
        with self._worker_lock:
            self._stop_worker()
            problem = self.system.stream_problem()
            if problem:
                self.get_logger().error(f"Unable to get MJPEG stream: {problem}")
                response.error = 1
                return response
            if request.activate_video:
                if not self.system.captures:
                    self.get_logger().warn("no camera connected yet; publishing starts when one is found")
                self._producing.set()
                self._worker = threading.Thread(target=self._produce, name="camera-publish", daemon=True)
                self._worker.start()
            response.error = 0
            return response

    # -- publishing
    def _produce(self) -> None:
        after: dict[str, int] = {}
        while self._producing.is_set():
            try:
                frames = self.system.next_frames(after, timeout=0.25)
                if frames is not None and self._producing.is_set():
                    self.publish_frames(frames)
            except Exception as exc:  # never let the publish thread die silently
                self.get_logger().error(f"Publishing camera images failed: {exc!r}")

    def publish_frames(self, frames: FrameSet) -> None:
        stereo = len(frames.frames) == 2
        images = [jpeg_msg(frame.jpeg, frame.capture_ns,
                           (("left_camera" if index == 0 else "right_camera") if stereo else "camera"))
                  for index, frame in enumerate(frames.frames)]
        msg = CameraMsg()
        msg.images = images
        self.video_pub.publish(msg)
        if self.compressed_pub.get_subscription_count() > 0:
            self.compressed_pub.publish(images[0])
        if self.display_pub.get_subscription_count() > 0:
            self.display_pub.publish(self._display_image(frames.frames[0].jpeg, images[0].header.frame_id,
                                                         frames.capture_ns))
        self.published += 1

    def _display_image(self, jpeg: bytes, frame_id: str, stamp_ns: int) -> Image:
        """The raw display image (bgr8; 160x120 with `resize_images`, by libjpeg's scaled decoding)."""
        size = (MODEL_IMAGE_WIDTH, MODEL_IMAGE_HEIGHT) if self.resize_images else (0, 0)
        return to_image_msg(decode_jpeg(jpeg, "bgr", *size, scaled=True), stamp_ns, frame_id)

    def on_shutdown(self) -> None:
        self._stop_worker()
        self.system.stop()


def main(args: list[str] | None = None) -> None:
    from node_host.host import run_nodes

    raise SystemExit(run_nodes([CameraNode], args=args, executor_kind="single"))


if __name__ == "__main__":
    main()
