"""camera_node with a looping folder of camera JPEGs: media_state, CameraMsg/display/compressed (the
community dialect: the camera's JPEG passed on as it came), stamps, rate."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from deepracer_interfaces_pkg.msg import CameraMsg
from deepracer_interfaces_pkg.srv import VideoStateSrv
from sensor_msgs.msg import CompressedImage, Image

from perception.images import jpeg_size
from tests.perception.media import frame_index, write_image_folder
from tests.perception.rosutil import stamp_ns
from tests.support.clock import on_wall_clock
from tests.support.ros import node_processes, wait_until

pytestmark = pytest.mark.ros


@pytest.fixture(scope="module")
def camera_node(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("camera_mono")
    frames = write_image_folder(tmp / "frames", frames=8, width=640, height=480, ext=".jpg")
    with node_processes(tmp) as start:
        proc = start("camera_pkg.camera_node", ros_args=["-p", "source:=file", "-p", f"file:={frames}",
                                                         "-p", "fps:=30.0"],
                     env={"DEEPRACER_STATE_DIR": str(tmp / "state")})
        proc.frames = frames  # type: ignore[attr-defined]
        yield proc


def _camera_jpegs(folder: Path) -> set[bytes]:
    return {path.read_bytes() for path in folder.glob("*.jpg")}


def _matched_collect(ros_node, topic: str) -> list[CameraMsg]:
    """Collect CameraMsgs once the subscription is matched with camera_node's publisher, so that
    an empty list means nothing was sent, not that discovery was still under way."""
    received: list[CameraMsg] = []
    sub = ros_node.node.create_subscription(CameraMsg, topic, received.append, 10)
    wait_until(lambda: sub.get_publisher_count() >= 1, 20, f"camera_node's publisher on {topic}")
    return received


def _media_state(ros_node, activate: int) -> None:
    assert ros_node.call(VideoStateSrv, "/camera_pkg/media_state", VideoStateSrv.Request(activate_video=activate),
                         timeout=20).error == 0


def test_nothing_is_published_before_activation(camera_node, ros_node) -> None:
    received = _matched_collect(ros_node, "/camera_pkg/video_mjpeg")
    for _ in range(3):
        _media_state(ros_node, 0)
    assert received == []
    assert "single camera" in camera_node.log_text()
    # the same subscription gets frames once the stream is activated: it was live all along
    _media_state(ros_node, 1)
    wait_until(lambda: received, 15, "frames after activation")
    _media_state(ros_node, 0)


def test_activated_stream_carries_the_cameras_jpeg_with_capture_stamps(camera_node, ros_node) -> None:
    video = ros_node.collect(CameraMsg, "/camera_pkg/video_mjpeg", 10)
    display = ros_node.collect(Image, "/camera_pkg/display_mjpeg", 10)
    compressed = ros_node.collect(CompressedImage, "/camera_pkg/display_mjpeg/compressed", 10)
    assert ros_node.call(VideoStateSrv, "/camera_pkg/media_state", VideoStateSrv.Request(activate_video=1),
                         timeout=20).error == 0
    wait_until(lambda: len(video) >= 3 and len(display) >= 3 and len(compressed) >= 2, 15, "camera streams")
    msg = video[-1]
    assert len(msg.images) == 1
    image = msg.images[0]
    camera_jpegs = _camera_jpegs(camera_node.frames)
    # the camera's JPEG byte for byte, at the camera's size: neither decoded nor encoded on the way
    assert image.format == "jpeg" and bytes(image.data) in camera_jpegs
    assert jpeg_size(image.data) == (640, 480)
    assert image.header.frame_id == "camera"
    assert 0 <= frame_index(bytes(image.data)) < 8
    # a real capture time (the original sent 0), on the wall clock
    assert on_wall_clock(stamp_ns(image))
    # the display images are images[0] of the same frames: raw (decoded to 160x120) and as it came
    stamps = {stamp_ns(m.images[0]) for m in video}
    assert any(stamp_ns(d) in stamps for d in display)
    raw = display[-1]
    assert (raw.width, raw.height, raw.encoding, raw.step) == (160, 120, "bgr8", 480)
    assert frame_index(np.frombuffer(raw.data, np.uint8)) in range(8)
    assert compressed[-1].format == "jpeg" and bytes(compressed[-1].data) in camera_jpegs


def test_one_message_per_source_frame_at_the_source_rate(camera_node, ros_node) -> None:
    video = ros_node.collect(CameraMsg, "/camera_pkg/video_mjpeg", 10)
    assert ros_node.call(VideoStateSrv, "/camera_pkg/media_state", VideoStateSrv.Request(activate_video=1),
                         timeout=20).error == 0
    wait_until(lambda: len(video) >= 25, 20, "25 camera messages")
    messages = list(video)  # a snapshot: the subscription keeps appending
    stamps = np.array([stamp_ns(m.images[0]) for m in messages], dtype=np.int64)
    assert len(set(stamps.tolist())) == len(stamps)  # never the same frame twice
    # frames in source order (the clip loops 0..7)
    indices = [frame_index(bytes(m.images[0].data)) for m in messages]
    steps = [(b - a) % 8 for a, b in zip(indices, indices[1:], strict=False)]
    assert 1 in steps
    # At the source rate: the stamps are the source clock's ticks, one period per source frame. A
    # publisher slowed by a loaded machine skips frames (the clip's marks say how many) but never
    # sends them closer together. Gaps of 8 frames or more are ambiguous in an 8-frame loop: left out.
    period_ms = 1000 / 30
    gaps_ms = np.diff(stamps) / 1e6
    per_frame_ms = [gap / step for gap, step in zip(gaps_ms, steps, strict=True) if step and gap < 7.5 * period_ms]
    assert len(per_frame_ms) >= 10
    assert np.median(per_frame_ms) == pytest.approx(period_ms, rel=0.1)


def test_deactivation_stops_publishing(camera_node, ros_node) -> None:
    video = _matched_collect(ros_node, "/camera_pkg/video_mjpeg")
    _media_state(ros_node, 1)
    wait_until(lambda: len(video) >= 3, 15, "frames while active")       # the stream is live
    _media_state(ros_node, 0)
    stopped_ns = time.time_ns()   # the publisher thread has ended when the call returns
    for _ in range(3):            # a window of several frame periods, with the node busy answering
        _media_state(ros_node, 0)
    # frames still in flight at the call were captured before it; nothing captured after is sent
    late = [stamp_ns(m.images[0]) - stopped_ns for m in list(video) if stamp_ns(m.images[0]) > stopped_ns]
    assert late == [], f"frames captured after the deactivation (ns after it): {late}"
    # and the subscription still works: activating again brings frames
    count = len(video)
    _media_state(ros_node, 1)
    wait_until(lambda: len(video) > count, 15, "frames after activating again")
    _media_state(ros_node, 0)
