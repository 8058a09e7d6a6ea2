"""Sensor fusion builds an EvoSensorMsg only for subscribers (inference subscribes only while it runs)."""

from __future__ import annotations

import numpy as np
import pytest
import rclpy
from camera_pkg.images import to_compressed_msg
from deepracer_interfaces_pkg.msg import CameraMsg, EvoSensorMsg
from deepracer_interfaces_pkg.srv import SensorStatusCheckSrv
from sensor_fusion_pkg.sensor_fusion_node import SENSOR_QOS, SensorFusionNode

from tests.support.ros import claim_domain_id, wait_until


def _camera() -> CameraMsg:
    msg = CameraMsg()
    msg.images = [to_compressed_msg(np.full((480, 640, 3), 40, np.uint8), 123_000_000_456, "cam0")]
    return msg


def test_sensor_messages_are_built_only_for_subscribers(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nobody subscribed (inference stopped): a camera message still counts for the sensor status, but no
    EvoSensorMsg is built nor published; once a reader subscribes, every camera message gives one.
    A domain of its own: no other test's subscriber may be on the topic."""
    monkeypatch.setenv("DEEPRACER_STATE_DIR", str(tmp_path))
    domain, lock = claim_domain_id()
    context = rclpy.Context()
    rclpy.init(context=context, domain_id=domain)
    try:
        node = SensorFusionNode(context=context)
        published: list[EvoSensorMsg] = []
        real_publish = node.sensor_pub.publish

        def spy(msg: EvoSensorMsg) -> None:
            published.append(msg)
            real_publish(msg)

        monkeypatch.setattr(node.sensor_pub, "publish", spy)
        node._on_camera(_camera())
        assert published == []
        status = node._sensor_status(SensorStatusCheckSrv.Request(), SensorStatusCheckSrv.Response())
        assert status.single_camera_status == 0  # the camera still counts as seen
        reader = rclpy.create_node("fusion_reader", context=context)
        reader.create_subscription(EvoSensorMsg, "/sensor_fusion_pkg/sensor_msg", lambda _m: None, SENSOR_QOS)
        wait_until(lambda: node.sensor_pub.get_subscription_count() == 1, 10, "the reader to match")
        node._on_camera(_camera())
        assert len(published) == 1 and len(published[0].images) == 1
        reader.destroy_node()
        node.destroy_node()
    finally:
        rclpy.shutdown(context=context)
        lock.close()
