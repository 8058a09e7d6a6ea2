"""camera_node with two cameras: two images per CameraMsg, left first, paired by capture time."""

from __future__ import annotations

import pytest
from deepracer_interfaces_pkg.msg import CameraMsg
from deepracer_interfaces_pkg.srv import VideoStateSrv

from perception.images import jpeg_size
from tests.perception.media import frame_index, write_image_folder, write_mjpeg_avi
from tests.perception.rosutil import stamp_ns
from tests.support.ros import node_processes, wait_until

pytestmark = pytest.mark.ros


@pytest.fixture(scope="module")
def stereo_node(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("camera_stereo")
    left = write_mjpeg_avi(tmp / "left.avi", frames=5, fps=30, width=320, height=240)
    right = write_image_folder(tmp / "right", frames=5, width=320, height=240)
    with node_processes(tmp) as start:
        proc = start("camera_pkg.camera_node",
                     ros_args=["-p", "source:=file", "-p", f"devices:=['{left}', '{right}']", "-p", "fps:=30",
                               "-p", "resize_images:=false"],
                     env={"DEEPRACER_STATE_DIR": str(tmp / "state")})
        yield proc


def test_stereo_messages(stereo_node, ros_node) -> None:
    video = ros_node.collect(CameraMsg, "/camera_pkg/video_mjpeg", 10)
    assert ros_node.call(VideoStateSrv, "/camera_pkg/media_state", VideoStateSrv.Request(activate_video=1),
                         timeout=20).error == 0
    wait_until(lambda: len(video) >= 10, 20, "stereo camera messages")
    assert "stereo camera" in stereo_node.log_text()
    gaps = []
    for msg in video:
        assert len(msg.images) == 2
        left, right = msg.images
        assert (left.header.frame_id, right.header.frame_id) == ("left_camera", "right_camera")
        assert jpeg_size(left.data) == jpeg_size(right.data) == (320, 240)   # JPEG, at the capture size
        gaps.append(abs(stamp_ns(left) - stamp_ns(right)))
        # left is the AVI (frames 0..4 at grey 20..68), right the folder (same marks): both valid
        assert 0 <= frame_index(bytes(left.data)) < 5 and 0 <= frame_index(bytes(right.data)) < 5
    # paired by capture time: the closest right frame (within half a frame period unless the machine
    # delayed it past the pairing wait; then the previous one, still within a period)
    assert max(gaps) <= 1e9 / 30, gaps
    assert sorted(gaps)[len(gaps) // 2] <= 1e9 / 30 / 2, gaps
