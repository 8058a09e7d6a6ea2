"""camera_node with a looping MJPEG AVI: media_state, CameraMsg/display/compressed, stamps, rate."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest
from deepracer_interfaces_pkg.msg import CameraMsg
from deepracer_interfaces_pkg.srv import VideoStateSrv
from sensor_msgs.msg import CompressedImage, Image

from tests.perception.media import frame_index, write_mjpeg_avi
from tests.perception.rosutil import stamp_ns
from tests.support.ros import node_processes, wait_until

pytestmark = pytest.mark.ros


@pytest.fixture(scope="module")
def camera_node(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("camera_mono")
    video = write_mjpeg_avi(tmp / "track.avi", frames=8, fps=30)
    with node_processes(tmp) as start:
        proc = start("camera_pkg.camera_node", ros_args=["-p", "source:=file", "-p", f"file:={video}",
                                                         "-p", "fps:=30.0"],
                     env={"DEEPRACER_STATE_DIR": str(tmp / "state")})
        yield proc


def test_nothing_is_published_before_activation(camera_node, ros_node) -> None:
    received = ros_node.collect(CameraMsg, "/camera_pkg/video_mjpeg", 10)
    for _ in range(3):
        assert ros_node.call(VideoStateSrv, "/camera_pkg/media_state", VideoStateSrv.Request(activate_video=0),
                             timeout=20).error == 0
    assert received == []
    assert "single camera" in camera_node.log_text()


def test_activated_stream_carries_resized_images_with_capture_stamps(camera_node, ros_node) -> None:
    video = ros_node.collect(CameraMsg, "/camera_pkg/video_mjpeg", 10)
    display = ros_node.collect(Image, "/camera_pkg/display_mjpeg", 10)
    compressed = ros_node.collect(CompressedImage, "/camera_pkg/display_mjpeg/compressed", 10)
    assert ros_node.call(VideoStateSrv, "/camera_pkg/media_state", VideoStateSrv.Request(activate_video=1),
                         timeout=20).error == 0
    wait_until(lambda: len(video) >= 3 and len(display) >= 3 and len(compressed) >= 2, 15, "camera streams")
    msg = video[-1]
    assert len(msg.images) == 1
    image = msg.images[0]
    assert (image.width, image.height, image.encoding, image.step) == (160, 120, "bgr8", 480)
    assert image.header.frame_id == "camera"
    pixels = np.frombuffer(image.data, np.uint8).reshape(120, 160, 3)
    assert 0 <= frame_index(pixels) < 8
    # a real capture time (the original sent 0), recent on the wall clock
    assert abs(time.time_ns() - stamp_ns(image)) < 3_000_000_000
    # the display image is images[0] of the same frame
    stamps = {stamp_ns(m.images[0]) for m in video}
    assert any(stamp_ns(d) in stamps for d in display)
    jpeg = compressed[-1]
    assert "jpeg" in jpeg.format
    decoded = cv2.imdecode(np.frombuffer(jpeg.data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (120, 160, 3)


def test_one_message_per_source_frame_at_the_source_rate(camera_node, ros_node) -> None:
    video = ros_node.collect(CameraMsg, "/camera_pkg/video_mjpeg", 10)
    assert ros_node.call(VideoStateSrv, "/camera_pkg/media_state", VideoStateSrv.Request(activate_video=1),
                         timeout=20).error == 0
    wait_until(lambda: len(video) >= 25, 20, "25 camera messages")
    stamps = np.array([stamp_ns(m.images[0]) for m in video], dtype=np.int64)
    assert len(set(stamps.tolist())) == len(stamps)  # never the same frame twice
    gaps_ms = np.diff(stamps) / 1e6
    assert np.median(gaps_ms) == pytest.approx(1000 / 30, rel=0.1)
    # frames in source order (the clip loops 0..7)
    indices = [frame_index(np.frombuffer(m.images[0].data, np.uint8)) for m in video]
    steps = {(b - a) % 8 for a, b in zip(indices, indices[1:], strict=False)}
    assert 1 in steps


def test_deactivation_stops_publishing(camera_node, ros_node) -> None:
    assert ros_node.call(VideoStateSrv, "/camera_pkg/media_state", VideoStateSrv.Request(activate_video=0),
                         timeout=20).error == 0
    video = ros_node.collect(CameraMsg, "/camera_pkg/video_mjpeg", 10)
    for _ in range(3):
        ros_node.call(VideoStateSrv, "/camera_pkg/media_state", VideoStateSrv.Request(activate_video=0), timeout=20)
    assert video == []
