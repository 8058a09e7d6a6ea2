"""`make run` brings the whole graph up on the simulated car and `deepracer status` reports every
node of every process alive, with the original node names."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.stack import SimStack

ORIGINAL_NODES = {
    "/camera_pkg/camera_node", "/ctrl_pkg/ctrl_node", "/deepracer_navigation_pkg/deepracer_navigation_node",
    "/deepracer_systems_pkg/model_loader_node", "/deepracer_systems_pkg/network_monitor_node",
    "/device_info_pkg/device_info_node", "/i2c_pkg/battery_node", "/inference_pkg/inference_node",
    "/model_optimizer_pkg/model_optimizer_node", "/rplidar_ros/rplidarNode",
    "/sensor_fusion_pkg/sensor_fusion_node", "/servo_pkg/servo_node", "/status_led_pkg/status_led_node",
    "/usb_monitor_pkg/usb_monitor_node", "/webserver_pkg/webserver_publisher_node",
}


def test_status_lists_every_node_alive(sim_stack: SimStack) -> None:
    env = sim_stack.env()
    result = subprocess.run([sys.executable, "-m", "cli.deepracer", "status", "--json", "--wait", "20"],
                            capture_output=True, text=True, env=env, timeout=60)
    report = json.loads(result.stdout)
    assert report["running"] and report["sim"] is True
    missing = {node for proc in report["processes"].values() for node, ok in proc["nodes"].items() if not ok}
    assert not missing, f"nodes missing from the ROS graph: {sorted(missing)}"
    listed = {node for proc in report["processes"].values() for node in proc["nodes"]}
    assert ORIGINAL_NODES <= listed
    assert "/device_info_pkg/device_status_node" in listed  # the community's addition
    assert all(proc["alive"] for proc in report["processes"].values())
    assert report["healthy"] is True and result.returncode == 0
    for topic in ("/camera_pkg/video_mjpeg", "/sensor_fusion_pkg/sensor_msg", "/rplidar_ros/scan"):
        assert topic in report["topics"]


def test_console_url_and_password_are_printed(sim_stack: SimStack) -> None:
    out = sim_stack.output()
    assert f"Device console: http://127.0.0.1:{sim_stack.port}" in out
    assert "Console password: deepracer" in out
