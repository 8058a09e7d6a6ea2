"""camera_node follows cameras plugged in after start: mono, then stereo when a second camera appears
(two images per message), and sensor fusion's status (what the console shows) follows."""

from __future__ import annotations

from pathlib import Path

import pytest
from deepracer_interfaces_pkg.msg import CameraMsg
from deepracer_interfaces_pkg.srv import SensorStatusCheckSrv, VideoStateSrv

from tests.perception.test_camera_hotplug import SimCamera
from tests.support.ros import node_processes, wait_until
from vehicle.status import SENSOR_CONNECTED, SENSOR_NOT_CONNECTED

pytestmark = pytest.mark.ros


def test_second_camera_turns_mono_into_stereo_and_the_status_follows(tmp_path: Path, ros_node) -> None:
    sim = tmp_path / "sim"
    sim.mkdir()
    left = SimCamera(sim, 0, 50)
    right: SimCamera | None = None
    env = {"DEEPRACER_STATE_DIR": str(tmp_path / "state")}
    video = ros_node.collect(CameraMsg, "/camera_pkg/video_mjpeg", 5)

    def status():
        return ros_node.call(SensorStatusCheckSrv, "/sensor_fusion_pkg/sensor_data_status", timeout=20)

    try:
        with node_processes(tmp_path) as start:
            start("sensor_fusion_pkg.sensor_fusion_node", env=env)
            camera = start("camera_pkg.camera_node", env=env,
                           ros_args=["-p", "source:=sim", "-p", f"sim_dir:={sim}", "-p", "fps:=60"])
            assert ros_node.call(VideoStateSrv, "/camera_pkg/media_state", VideoStateSrv.Request(activate_video=1),
                                 timeout=30).error == 0
            wait_until(lambda: video and len(video[-1].images) == 1, 20, "mono camera messages")
            wait_until(lambda: status().single_camera_status == SENSOR_CONNECTED, 10, "status: single camera")
            assert status().stereo_camera_status == SENSOR_NOT_CONNECTED
            right = SimCamera(sim, 1, 150)  # plugged in while the node runs
            wait_until(lambda: video and len(video[-1].images) == 2, 10, "stereo messages after the second camera")
            wait_until(lambda: status().stereo_camera_status == SENSOR_CONNECTED, 10, "status: stereo camera")
            assert status().single_camera_status == SENSOR_NOT_CONNECTED
            right.unplug()
            right = None
            wait_until(lambda: video and len(video[-1].images) == 1, 10, "mono again after unplugging it")
            wait_until(lambda: status().single_camera_status == SENSOR_CONNECTED, 10, "status: single camera again")
            assert "stereo camera" in camera.log_text()
            wait_until(lambda: "camera1.frame unplugged" in camera.log_text(), 10, "the unplugged camera dropped")
    finally:
        left.unplug()
        if right is not None:
            right.unplug()
