"""The Control page shows the camera stream (MJPEG through /route), switches to the LiDAR overlay,
turns the stream off, shows the simulated track with the car's pose and lap data, and charts the
driving latency live."""

from __future__ import annotations

import json
import threading

import pytest
from deepracer_interfaces_pkg.msg import LatencyMeasureMsg

from tests.console_ui.conftest import Stack
from tests.support.ros import RosTestNode

pytestmark = [pytest.mark.ros, pytest.mark.browser]

FRAME_SHOWN = "(() => { const i = document.querySelector('#video-img'); return i && i.naturalWidth > 0; })()"


def test_camera_stream_toggle_and_lidar_overlay(car: Stack, page) -> None:
    p = page("control")
    if not p.is_checked("#video-toggle"):
        p.check("#video-toggle")
    p.check("input[name=video-kind][value=camera]")
    p.wait_for_function(FRAME_SHOWN)
    src = p.get_attribute("#video-img", "src")
    assert src == "/route?topic=/camera_pkg/display_mjpeg&width=480&height=360"
    assert p.evaluate("document.querySelector('#video-img').naturalWidth") == 480

    p.check("input[name=video-kind][value=lidar]")
    p.wait_for_function("document.querySelector('#video-img').getAttribute('src').includes('overlay_msg')")
    assert "/sensor_fusion_pkg/overlay_msg" in p.get_attribute("#video-img", "src")
    p.wait_for_function(FRAME_SHOWN)

    p.uncheck("#video-toggle")
    p.wait_for_selector("#video-img", state="detached")   # the <img> goes, so the stream connection closes
    assert "off" in p.locator("#video-frame").inner_text()
    p.check("#video-toggle")
    p.check("input[name=video-kind][value=camera]")
    p.wait_for_function(FRAME_SHOWN)


def test_simulator_view(car: Stack, page) -> None:
    p = page("control")
    p.wait_for_selector("#sim-card:not([hidden])")
    status = json.loads((car.sim_dir / "status.json").read_text())
    assert p.locator("#sim-track").inner_text() == status["track"]
    assert p.locator("#sim-laps").inner_text().isdigit()
    # The canvas has drawn the track (not a blank image).
    painted = p.evaluate("""() => {
        const c = document.querySelector('#sim-canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const colours = new Set();
        for (let i = 0; i < d.length; i += 400) colours.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
        return colours.size;
    }""")
    assert painted > 3


def test_driving_latency_chart(car: Stack, page, ros: RosTestNode) -> None:
    """What the servo node measures (/servo_pkg/latency) reaches the chart through device_status_node
    and /api/get_device_status; here the measurements come from the test, 12 ms at 50 a second."""
    publisher = ros.node.create_publisher(LatencyMeasureMsg, "/servo_pkg/latency", 10)
    stop = threading.Event()

    def measure() -> None:
        while not stop.wait(0.02):
            publisher.publish(LatencyMeasureMsg(latency_ms=12.0))

    sender = threading.Thread(target=measure, daemon=True)
    sender.start()
    try:
        p = page("control")
        p.wait_for_selector("#telemetry-card:not([hidden])")
        p.wait_for_function("document.querySelector('#telemetry-latency').textContent === '12.0 ms'", timeout=20000)
        assert p.locator("#telemetry-p95").inner_text() == "12.0 ms"
        assert p.locator("#telemetry-fps").inner_text().endswith(" fps")
        # the mean line is drawn on the chart (its blue is on the canvas), not just the numbers
        drawn = p.evaluate("""() => {
            const c = document.querySelector('#telemetry-chart');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i + 2] > 150 && d[i + 2] - d[i] > 80) n++;
            return n;
        }""")
        assert drawn > 0
    finally:
        stop.set()
        sender.join(2)
        ros.node.destroy_publisher(publisher)
