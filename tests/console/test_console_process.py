"""`python -m webserver_pkg.webserver_publisher_node`: the console process as the launcher starts it —
HTTP and HTTPS ports from the command line, the start-up message, the ROS bridge, and a stop on exit."""

from __future__ import annotations

import re
import signal
import socket
from pathlib import Path

import httpx
import pytest
from deepracer_interfaces_pkg.msg import ServoCtrlMsg
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy

from device_console.api.routes.control import NO_CONTROL_NODE
from tests.support.ros import wait_until

pytestmark = pytest.mark.ros
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_console_process(start_node, ros_node, tmp_path: Path) -> None:
    state = tmp_path / "state"
    http_port, https_port = free_port(), free_port()
    proc = start_node("webserver_pkg.webserver_publisher_node",
                      args=["--host", "127.0.0.1", "--port", str(http_port), "--https-port", str(https_port)],
                      env={"DEEPRACER_STATE_DIR": str(state), "DEEPRACER_HARDWARE": "sim",
                           "DEEPRACER_SYSFS_ROOT": str(tmp_path / "sys")})
    wait_until(lambda: "Console password" in proc.log_text() or proc.proc.poll() is not None, 60,
               "the console to start")
    log = proc.log_text()
    assert f"https://127.0.0.1:{https_port}" in log and f"http://127.0.0.1:{http_port}" in log
    assert "Console password: deepracer" in log
    assert (state / "certs" / "console.crt").is_file()

    received = ros_node.collect(ServoCtrlMsg, "/webserver_pkg/manual_drive",
                                QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=10,
                                           reliability=ReliabilityPolicy.RELIABLE))
    with httpx.Client(base_url=f"https://127.0.0.1:{https_port}", verify=False, timeout=10) as client:
        csrf = CSRF_META.search(client.get("/").text).group(1)
        assert client.post("/login", data={"password": "deepracer"},
                           headers={"X-CSRFToken": csrf}).json() == {"redirect": "/home"}
        # a driver with the dead-man (as our UI: it uses the heartbeat route); a client that never
        # does is held while its session is alive (tests/console/test_drive_hold.py)
        assert client.post("/api/manual_drive/heartbeat", headers={"X-CSRFToken": csrf}).json()["success"]

        def drive() -> bool:
            answer = client.put("/api/manual_drive", json={"angle": 0, "throttle": -1, "max_speed": 1},
                                headers={"X-CSRFToken": csrf}).json()
            if answer == {"success": False, "reason": NO_CONTROL_NODE}:
                # the console's publisher has not matched our subscription yet (DDS discovery runs
                # on its own after the console started): the only listener is this test's
                return False
            assert answer == {"success": True}
            return any(m.throttle > 0.5 for m in received)

        wait_until(drive, 20, "the manual drive command on the graph")
    # the plain HTTP port serves the console too on the simulated car
    assert httpx.get(f"http://127.0.0.1:{http_port}/api/server_ready").status_code == 401

    # the driver went quiet: the dead-man watchdog stops the car ...
    wait_until(lambda: received[-1].throttle == 0.0 and received[-1].angle == 0.0, 10, "the dead-man stop")
    before = len(received)
    # ... and leaving the console publishes one more stop, whatever the state
    proc.proc.send_signal(signal.SIGINT)
    assert proc.proc.wait(timeout=20) == 0
    wait_until(lambda: len(received) > before, 10, "the stop published when the console exits")
    assert (received[-1].angle, received[-1].throttle) == (0.0, 0.0)
