"""sensor_fusion_node: fake LaserScan + CameraMsg in, EvoSensorMsg / overlay / services out."""

from __future__ import annotations

import json

import numpy as np
import pytest
from camera_pkg.images import to_compressed_msg
from deepracer_interfaces_pkg.msg import CameraMsg, EvoSensorMsg
from deepracer_interfaces_pkg.srv import LidarConfigSrv, SensorStatusCheckSrv
from sensor_fusion_pkg.sensor_fusion_node import SENSOR_QOS
from sensor_msgs.msg import Image, LaserScan

from tests.perception.rosutil import stamp_ns
from tests.perception.scans import RPLIDAR_ANGLE_MIN, RPLIDAR_INCREMENT, ranges_by_degree
from tests.support.ros import node_processes, publish_until, wait_until

pytestmark = pytest.mark.ros


@pytest.fixture(scope="module")
def fusion(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("fusion")
    state = tmp / "state"
    state.mkdir()
    with node_processes(tmp) as start:
        proc = start("sensor_fusion_pkg.sensor_fusion_node", env={"DEEPRACER_STATE_DIR": str(state)})
        yield proc, state


def _scan(ranges: np.ndarray) -> LaserScan:
    msg = LaserScan()
    msg.header.frame_id = "laser"
    msg.angle_min = RPLIDAR_ANGLE_MIN
    msg.angle_increment = RPLIDAR_INCREMENT
    msg.angle_max = float(np.float32(np.pi))
    msg.ranges = [float(r) for r in ranges]
    return msg


def _camera(count: int, stamp: int = 123_000_000_456, size: tuple[int, int] = (640, 480)) -> CameraMsg:
    """Camera JPEGs (community dialect), grey level 40 per camera index."""
    msg = CameraMsg()
    msg.images = [to_compressed_msg(np.full((size[1], size[0], 3), 40 * (i + 1), np.uint8), stamp, f"cam{i}")
                  for i in range(count)]
    return msg


class Streams:
    def __init__(self, ros_node) -> None:
        node = ros_node.node
        self.scan_pub = node.create_publisher(LaserScan, "/rplidar_ros/scan", 10)
        self.camera_pub = node.create_publisher(CameraMsg, "/camera_pkg/video_mjpeg", 1)
        self.sensor = ros_node.collect(EvoSensorMsg, "/sensor_fusion_pkg/sensor_msg", SENSOR_QOS)
        self.overlay = ros_node.collect(Image, "/sensor_fusion_pkg/overlay_msg", SENSOR_QOS)


@pytest.fixture(scope="module")
def streams(fusion, ros_node_module):
    return Streams(ros_node_module)


@pytest.fixture(scope="module")
def ros_node_module():
    import os

    from tests.support.ros import RosTestNode

    node = RosTestNode(f"pytest_fusion_{os.getpid()}")
    try:
        yield node
    finally:
        node.close()


def _sensor_msg_with(streams: Streams, scan: LaserScan, camera: CameraMsg, predicate) -> EvoSensorMsg:
    """Publish scan + camera until an EvoSensorMsg satisfies `predicate` (the new scan was processed)."""
    def publish() -> None:
        streams.scan_pub.publish(scan)
        streams.camera_pub.publish(camera)

    try:
        return publish_until(publish, None, lambda: next((m for m in reversed(streams.sensor) if predicate(m)), None),
                             timeout=15.0, what="a matching EvoSensorMsg", period=0.05)
    except AssertionError as exc:
        last = list(streams.sensor[-1].lidar_data) if streams.sensor else None
        raise AssertionError(f"{exc}; last lidar_data: {last}") from None


def _lidar_data_is(expected: list[float]):
    return lambda m: list(m.lidar_data) == expected


def test_default_configuration_file_is_written(fusion) -> None:
    _proc, state = fusion
    wait_until(lambda: (state / "sensor_configuration.json").exists(), 20, "sensor_configuration.json")
    data = json.loads((state / "sensor_configuration.json").read_text())
    assert data["lidar"]["num_values"] == 64.0 and data["lidar_overlay"]["max_distance"] == 0.5


def test_one_sensor_message_per_camera_message_with_processed_lidar(streams: Streams) -> None:
    scan = _scan(ranges_by_degree({range(-60, 61): 0.5}))
    # hand-computed: the added lower edge point gives maxDist, the window is 0.5 m everywhere else
    camera = _camera(1)
    msg = _sensor_msg_with(streams, scan, camera, _lidar_data_is([1.0] + [0.5] * 63))
    assert len(msg.images) == 1
    image = msg.images[0]
    assert (image.format, image.header.frame_id) == ("jpeg", "cam0")
    assert stamp_ns(image) == 123_000_000_456  # images are forwarded as they are: the same JPEG bytes
    assert bytes(image.data) == bytes(camera.images[0].data)


def test_sector_configuration_and_validation(streams: Streams, ros_node_module) -> None:
    call = ros_node_module.call
    sector = LidarConfigSrv.Request(use_lidar=True, min_angle=-60.0, max_angle=60.0, num_values=64,
                                    min_distance=0.15, max_distance=1.0, clipping_distance=1.0, num_sectors=8,
                                    preprocess_type=1)
    assert call(LidarConfigSrv, "/sensor_fusion_pkg/configure_lidar", sector, timeout=20).error == 0
    scan = _scan(ranges_by_degree({range(20, 26): 0.5}))
    _sensor_msg_with(streams, scan, _camera(1), _lidar_data_is([0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]))
    # invalid requests: error 1 and the configuration stays as it was
    for bad in (dict(min_angle=70.0), dict(min_distance=2.0), dict(clipping_distance=0.1), dict(num_values=0),
                dict(preprocess_type=3), dict(num_sectors=0)):
        request = LidarConfigSrv.Request(**{**{k: getattr(sector, k) for k in (
            "use_lidar", "min_angle", "max_angle", "num_values", "min_distance", "max_distance",
            "clipping_distance", "num_sectors", "preprocess_type")}, **bad})
        assert call(LidarConfigSrv, "/sensor_fusion_pkg/configure_lidar", request, timeout=20).error == 1, bad
    _sensor_msg_with(streams, _scan(ranges_by_degree({range(-60, -50): 0.3})), _camera(1),
                     _lidar_data_is([1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]))
    # back to distances for the other tests
    default = LidarConfigSrv.Request(use_lidar=True, min_angle=-60.0, max_angle=60.0, num_values=64,
                                     min_distance=0.15, max_distance=1.0, clipping_distance=1.0, num_sectors=64,
                                     preprocess_type=0)
    assert call(LidarConfigSrv, "/sensor_fusion_pkg/configure_lidar", default, timeout=20).error == 0


def test_sensor_data_status(streams: Streams, ros_node_module) -> None:
    scan = _scan(ranges_by_degree({}))
    _sensor_msg_with(streams, scan, _camera(2), lambda m: len(m.images) == 2)
    status = ros_node_module.call(SensorStatusCheckSrv, "/sensor_fusion_pkg/sensor_data_status", timeout=20)
    assert (status.lidar_status, status.single_camera_status, status.stereo_camera_status, status.error) == (0, 1, 0, 0)
    _sensor_msg_with(streams, scan, _camera(1), lambda m: len(m.images) == 1)
    status = ros_node_module.call(SensorStatusCheckSrv, "/sensor_fusion_pkg/sensor_data_status", timeout=20)
    assert (status.lidar_status, status.single_camera_status, status.stereo_camera_status) == (0, 0, 1)


def test_overlay_image_on_each_camera_image(streams: Streams) -> None:
    scan = _scan(ranges_by_degree({range(-142, -137): 0.3}))  # sector 0 occupied
    camera = CameraMsg(images=[to_compressed_msg(np.zeros((480, 640, 3), np.uint8), 77, "camera")])

    def publish() -> None:
        streams.scan_pub.publish(scan)
        streams.camera_pub.publish(camera)

    def third_overlay() -> object:
        # the first overlays may be drawn before sensor fusion's first scan arrived (two topics, no
        # order between them); by the third, scans have been flowing for several rounds
        mine = [m for m in streams.overlay if stamp_ns(m) == 77]
        return mine[-1] if len(mine) >= 3 else None

    msg = publish_until(publish, None, third_overlay, timeout=15.0, what="overlay images", period=0.05)
    assert (msg.width, msg.height, msg.encoding) == (160, 120, "bgr8")
    pixels = np.frombuffer(msg.data, np.uint8).reshape(120, 160, 3)
    assert pixels[10, 5].tolist() == [16, 31, 50]  # sector 0 (top left) filled orange over black
    assert pixels[10, 155].tolist() == [38, 38, 38]  # sector 7 grey


def test_a_restarted_sensor_fusion_keeps_the_models_lidar_configuration(tmp_path, monkeypatch) -> None:
    """The sensors process restarted (same launcher run): the loaded model's LiDAR configuration is
    in use again, not the defaults; a new run starts from the defaults."""
    import rclpy
    from sensor_fusion_pkg.sensor_fusion_node import SensorFusionNode

    from runtime.run_state import RUN_ID_ENV

    monkeypatch.setenv("DEEPRACER_STATE_DIR", str(tmp_path))
    monkeypatch.setenv(RUN_ID_ENV, "run-1")

    def lidar_after_start(configure: LidarConfigSrv.Request | None = None) -> object:
        """Start the node (as a restarted process would), optionally configure it; its LiDAR config."""
        context = rclpy.Context()
        rclpy.init(context=context)
        try:
            node = SensorFusionNode(context=context)
            try:
                if configure is not None:
                    assert node._configure_lidar(configure, LidarConfigSrv.Response()).error == 0
                return node.processor.config.lidar
            finally:
                node.destroy_node()
        finally:
            rclpy.shutdown(context=context)

    defaults = lidar_after_start()
    configured = lidar_after_start(LidarConfigSrv.Request(
        use_lidar=True, min_angle=-150.0, max_angle=150.0, num_values=32, min_distance=0.2, max_distance=2.0,
        clipping_distance=1.5, num_sectors=8, preprocess_type=1))
    assert (configured.min_angle, configured.num_values, configured.num_sectors) == (-150.0, 32.0, 8.0)
    assert lidar_after_start() == configured          # restarted in the same run
    monkeypatch.setenv(RUN_ID_ENV, "run-2")
    assert lidar_after_start() == defaults            # a new run: the defaults

