"""camera_node: the camera disappears (unplugged) and comes back; the node recovers by itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from deepracer_interfaces_pkg.msg import CameraMsg
from deepracer_interfaces_pkg.srv import VideoStateSrv

from tests.perception.media import write_image_folder
from tests.support.ros import wait_until

pytestmark = pytest.mark.ros


def test_camera_unplugged_and_replugged_without_restart(tmp_path: Path, start_node, ros_node) -> None:
    folder = write_image_folder(tmp_path / "camera", frames=4, width=160, height=120)
    node = start_node("camera_pkg.camera_node",
                      ros_args=["-p", "source:=file", "-p", f"file:={folder}", "-p", "fps:=30",
                                "-p", "reconnect_interval:=0.1"],
                      env={"DEEPRACER_STATE_DIR": str(tmp_path / "state")})
    video = ros_node.collect(CameraMsg, "/camera_pkg/video_mjpeg", 10)
    assert ros_node.call(VideoStateSrv, "/camera_pkg/media_state", VideoStateSrv.Request(activate_video=1),
                         timeout=20).error == 0
    wait_until(lambda: len(video) >= 3, 15, "frames before unplugging")
    folder.rename(tmp_path / "unplugged")
    wait_until(lambda: "not connected" in node.log_text(), 10, "not-connected report")
    count = len(video)
    (tmp_path / "unplugged").rename(folder)
    wait_until(lambda: len(video) >= count + 5, 15, "frames after replugging")
    assert node.proc.poll() is None  # same process, no restart
    assert "connected" in node.log_text().split("not connected")[-1]
