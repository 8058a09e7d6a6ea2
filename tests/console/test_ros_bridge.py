"""The real bridge node (WebserverPublisherNode) under the real app, against real ROS service servers
and topics in this process: the console's requests become the original messages on the graph."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import rclpy
from ctrl_pkg.ctrl_node import command_qos  # how ctrl_node reads the console's drive topics
from deepracer_interfaces_pkg.msg import ServoCtrlMsg, SoftwareUpdatePctMsg
from fastapi.testclient import TestClient
from node_host.host import make_executor
from rclpy.parameter import Parameter
from sensor_msgs.msg import CompressedImage, Image
from webserver_pkg.webserver_publisher_node import WebserverPublisherNode, spin_until_shutdown

from device_console.core.config import CAMERA_TOPIC, OVERLAY_TOPIC
from device_console.main import create_app
from tests.console.conftest import ConsoleClient, make_settings
from tests.console.models_helper import install_model
from tests.console.ros_services import FakeVehicleServices
from tests.support.ros import RosTestNode, claim_domain_id, wait_until

pytestmark = pytest.mark.ros


class BridgeHost:
    """The bridge node spinning in its own context on the console process's executor and spin loop."""

    def __init__(self, domain_id: int | None = None, **params: Any) -> None:
        self.context = rclpy.Context()
        rclpy.init(context=self.context, domain_id=domain_id)
        overrides = [Parameter(k, value=v) for k, v in params.items()]
        self.node = WebserverPublisherNode(context=self.context, parameter_overrides=overrides)
        self.executor = make_executor("events", self.context)
        self.executor.add_node(self.node)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=spin_until_shutdown, args=(self.executor, self.context, self.stop),
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.node.on_shutdown()
        self.stop.set()
        self.thread.join(timeout=5)
        self.executor.shutdown(timeout_sec=2)
        self.node.destroy_node()
        rclpy.shutdown(context=self.context)


@pytest.fixture(scope="module")
def graph() -> Iterator[tuple[RosTestNode, FakeVehicleServices, BridgeHost]]:
    peer = RosTestNode("console_bridge_peer", threads=4)  # a fake service may block on purpose
    services = FakeVehicleServices(peer.node)
    bridge = BridgeHost(service_wait=2.0, service_timeout=10.0)
    try:
        yield peer, services, bridge
    finally:
        bridge.close()
        peer.close()


@pytest.fixture
def client(graph, tmp_path: Path) -> Iterator[ConsoleClient]:
    _peer, _services, bridge = graph
    settings = make_settings(tmp_path)
    with TestClient(create_app(settings, bridge.node)) as http:
        console = ConsoleClient(http)
        console.login()
        console.settings = settings  # type: ignore[attr-defined]
        yield console


def test_bridge_node_names(graph) -> None:
    _peer, _services, bridge = graph
    assert bridge.node.get_name() == "webserver_publisher_node"
    assert bridge.node.get_namespace() == "/webserver_pkg"


def test_manual_drive_reaches_the_topic(graph, client: ConsoleClient) -> None:
    peer, _services, _bridge = graph
    received = peer.collect(ServoCtrlMsg, "/webserver_pkg/manual_drive", command_qos())

    def drive() -> bool:
        client.put("/api/manual_drive", {"angle": 0.5, "throttle": -0.5, "max_speed": 0.5})
        return any(abs(m.throttle - 0.3333) < 1e-3 for m in received)

    wait_until(drive, 10, "ServoCtrlMsg on /webserver_pkg/manual_drive")
    message = next(m for m in received if abs(m.throttle - 0.3333) < 1e-3)
    assert message.angle == pytest.approx(-0.5)


def test_manual_drive_fails_while_nothing_listens(tmp_path: Path) -> None:
    # a ROS domain of its own: nothing else subscribes /webserver_pkg/manual_drive there
    domain, lock = claim_domain_id()
    bridge = BridgeHost(domain_id=domain, service_wait=0.5)
    ctrl: RosTestNode | None = None
    try:
        with TestClient(create_app(make_settings(tmp_path), bridge.node)) as http:
            client = ConsoleClient(http)
            client.login()
            answer = client.put("/api/manual_drive", {"angle": 0, "throttle": -0.5, "max_speed": 0.5}).json()
            assert answer["success"] is False and "control node (ctrl_pkg) is not running" in answer["reason"]
            ctrl = RosTestNode("ctrl_stand_in", domain_id=domain)  # the control node appears
            received = ctrl.collect(ServoCtrlMsg, "/webserver_pkg/manual_drive", command_qos())
            wait_until(lambda: client.put("/api/manual_drive", {"angle": 0, "throttle": -0.5, "max_speed": 0.5})
                       .json() == {"success": True}, 10, "manual_drive to succeed once ctrl listens")
            wait_until(lambda: any(m.throttle > 0 for m in received), 5, "the command on the graph")
            ctrl.close()  # ... and goes away again
            ctrl = None
            wait_until(lambda: client.put("/api/manual_drive", {"angle": 0, "throttle": -0.5, "max_speed": 0.5})
                       .json()["success"] is False, 10, "manual_drive to report the missing control node")
    finally:
        if ctrl is not None:
            ctrl.close()
        bridge.close()
        lock.close()


def test_calibration_round_trip_over_services(graph, client: ConsoleClient) -> None:
    peer, services, _bridge = graph
    assert client.get("/api/set_calibration_mode").json() == {"success": True}
    assert services.received("/ctrl_pkg/vehicle_state")[-1].state == 2
    assert services.received("/ctrl_pkg/enable_state")[-1].is_active is True
    assert client.get("/api/get_calibration/angle").json() == {
        "mid": -5.0, "min": -30.0, "max": 20.0, "polarity": 1, "success": True}
    assert client.post("/api/set_calibration/throttle", {"mid": -10, "min": -40, "max": 20, "polarity": -1}).json() == {
        "success": True}
    request = services.received("/ctrl_pkg/set_car_cal")[-1]
    assert (request.cal_type, request.max, request.mid, request.min, request.polarity) == (
        1, 1590000, 1455000, 1320000, -1)
    preview = peer.collect(ServoCtrlMsg, "/webserver_pkg/calibration_drive", command_qos())

    def adjust() -> bool:
        client.post("/api/adjust_calibrating_wheels/angle", {"pwm": 10})
        return bool(preview)

    wait_until(adjust, 10, "the calibration preview message")
    assert (preview[0].angle, preview[0].throttle) == (1600000.0, -1.0)


def test_led_and_device_services(graph, client: ConsoleClient) -> None:
    _peer, services, _bridge = graph
    assert client.post("/api/set_led_color", {"red": 255, "green": 0, "blue": 10}).json() == {"success": True}
    assert services.led == [9999825, 0, 392150]
    assert client.get("/api/get_led_color").json() == {"red": 255, "green": 0, "blue": 10, "success": True}
    assert client.get("/api/get_battery_level").json() == {"battery_level": 7, "success": True}
    info = client.get("/api/get_device_info").json()
    assert (info["hardware_version"], info["software_version"]) == ("R2.0", "2.0.1")
    # the community's fields come from the car's device_info_node (GetDeviceInfoSrv), as they are
    assert (info["cpu_model"], info["ram_amount"], info["disk_amount"], info["os_version"], info["ros_distro"]) == (
        "Intel Atom E3930", "3842", "29GB", "Ubuntu 22.04.5 LTS", "humble")
    assert client.get("/api/control_modes_available").json()["control_modes_available"] == [
        "manual", "autonomous", "calibration"]
    assert client.post("/api/emergency_stop", {}).json() == {"success": True}
    assert services.received("/ctrl_pkg/emergency_stop")


def test_error_codes_and_missing_services_are_reported(graph, client: ConsoleClient) -> None:
    _peer, services, _bridge = graph
    client.post("/api/drive_mode", {"drive_mode": "manual"})
    answer = client.post("/api/max_nav_throttle", {"throttle": 50}).json()
    assert answer == {"success": False, "reason": "Failed to call the navigation throttle service"}
    assert services.received("/ctrl_pkg/autonomous_throttle")[-1].throttle == pytest.approx(0.5)
    missing = client.get("/api/get_device_status").json()
    assert missing == {"success": False,
                       "reason": "The service /device_info_pkg/get_device_status is not available."}


def test_a_stuck_service_times_out_without_blocking_other_requests(graph, client: ConsoleClient) -> None:
    _peer, services, bridge = graph
    services.battery_delay_s = 3.0
    bridge.node.service_timeout = 1.5  # the service_timeout parameter, shortened for this test
    results: dict[str, Any] = {}
    order: list[str] = []

    def slow() -> None:
        results["battery"] = client.get("/api/get_battery_level").json()
        order.append("battery")

    worker = threading.Thread(target=slow)
    try:
        worker.start()
        wait_until(lambda: len(services.received("/i2c_pkg/battery_level")) > 0 and not order, 10,
                   "the battery call to be in flight")
        assert client.get("/api/isModelLoading").json() == {"success": True, "isModelLoading": "loaded"}
        order.append("loading")
        worker.join(timeout=20)
    finally:
        services.battery_delay_s = 0.0
        bridge.node.service_timeout = 10.0
    assert order == ["loading", "battery"]
    assert results["battery"] == {"success": False,
                                  "reason": "The service /i2c_pkg/battery_level did not answer within 1.5 s."}


def test_model_load_request_over_the_graph(graph, client: ConsoleClient) -> None:
    _peer, services, _bridge = graph
    install_model(client.settings.artifacts_dir, "ros_model")  # type: ignore[attr-defined]
    assert client.put("/api/models/ros_model/model").json() == {"success": True}
    lidar = services.received("/sensor_fusion_pkg/configure_lidar")[-1]
    assert lidar.use_lidar is False
    request = services.received("/ctrl_pkg/model_state")[-1]
    assert request.model_name == "ros_model/model"
    assert list(request.model_metadata_sensors) == [5]
    assert (request.training_algorithm, request.action_space_type, request.img_format) == (1, 1, "RGB")
    assert (request.width, request.height, request.num_channels, request.platform) == (160, 120, 1, 1)
    assert (request.task_type, request.pre_process_type) == (0, 1)


def test_camera_and_overlay_frames_reach_the_stream(graph) -> None:
    peer, _services, bridge = graph
    hub = bridge.node.stream_hub
    image_pub = peer.node.create_publisher(Image, OVERLAY_TOPIC, 1)
    jpeg_pub = peer.node.create_publisher(CompressedImage, CAMERA_TOPIC + "/compressed", 1)
    pixels = np.full((120, 160, 3), (10, 200, 30), np.uint8)
    ok, encoded = cv2.imencode(".jpg", pixels)
    assert ok
    jpeg = encoded.tobytes()

    async def watch() -> tuple[bytes, bytes]:
        overlay = hub.frames(OVERLAY_TOPIC, 320, 240)
        camera = hub.frames(CAMERA_TOPIC)
        stop = threading.Event()

        def publish() -> None:  # like a camera: keep sending until the viewers have a frame
            message = Image(height=120, width=160, encoding="bgr8", step=480, data=pixels.tobytes())
            compressed = CompressedImage(format="jpeg", data=jpeg)
            while not stop.is_set():
                image_pub.publish(message)
                jpeg_pub.publish(compressed)
                stop.wait(0.05)

        thread = threading.Thread(target=publish, daemon=True)
        thread.start()
        try:
            overlay_frame, _ = await anext(overlay)
            camera_frame, _ = await anext(camera)
        finally:
            stop.set()
            thread.join()
            await overlay.aclose()
            await camera.aclose()
        return overlay_frame, camera_frame

    import asyncio

    overlay_frame, camera_frame = asyncio.run(asyncio.wait_for(watch(), 20))
    decoded = cv2.imdecode(np.frombuffer(overlay_frame, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (240, 320, 3)
    assert np.abs(decoded[120, 160].astype(int) - [10, 200, 30]).max() < 12
    assert camera_frame == jpeg  # passed through without re-encoding
    peer.node.destroy_publisher(image_pub)
    peer.node.destroy_publisher(jpeg_pub)


def test_update_progress_topic(graph) -> None:
    peer, _services, bridge = graph
    publisher = peer.node.create_publisher(SoftwareUpdatePctMsg, "/deepracer_systems_pkg/software_update_pct", 1)

    def seen() -> bool:
        publisher.publish(SoftwareUpdatePctMsg(update_pct=55.0, status="installing"))
        progress = bridge.node.update_progress()
        return progress is not None and progress.status == "installing"

    wait_until(seen, 10, "the update progress message")
    assert bridge.node.update_progress().update_pct == pytest.approx(55.0)
    peer.node.destroy_publisher(publisher)
