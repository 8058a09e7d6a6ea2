"""/api/logs/<type>/<n>: an allow-list of logs, never a path from the URL; at most 1000 lines. The
stack's own process logs come first; `SYS` is the system log on a car and the stack's logs on the
simulated car."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from device_console.core.config import ConsoleSettings
from device_console.logs import NO_SUCH_TYPE, tail_lines
from device_console.main import create_app
from tests.console.conftest import ConsoleClient, make_settings
from tests.console.fake_car import FakeCar


@pytest.fixture
def settings(tmp_path: Path) -> ConsoleSettings:
    """A car: SYS is its system log."""
    return make_settings(tmp_path, hardware_mode="real")


def write_lines(path, count: int, prefix: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{prefix} line {i}\n" for i in range(count)))


def test_syslog_tail(client: ConsoleClient, settings) -> None:
    write_lines(settings.syslog_path, 50, "sys")
    body = client.get("/api/logs/SYS/3").json()
    assert body == {"success": True, "data": "sys line 47\nsys line 48\nsys line 49"}
    assert client.get("/api/logs/sys/0").json() == {"success": True, "data": ""}


def test_at_most_1000_lines(client: ConsoleClient, settings) -> None:
    write_lines(settings.syslog_path, 3000, "sys")
    data = client.get("/api/logs/SYS/5000").json()["data"].split("\n")
    assert len(data) == 1000
    assert data[-1] == "sys line 2999"


def test_process_and_node_logs(client: ConsoleClient, settings) -> None:
    assert client.get("/api/logs").json()["default"] == "SYS"  # nothing written by the stack yet
    write_lines(settings.process_logs_dir / "core.log", 10, "core")
    write_lines(settings.process_logs_dir / "console.log", 10, "console")
    write_lines(settings.process_logs_dir / "sensors.log", 10, "sensors")
    assert client.get("/api/logs/CORE/1").json()["data"] == "core line 9"
    assert client.get("/api/logs/servo_node/1").json()["data"] == "core line 9"
    assert client.get("/api/logs/camera_node/1").json()["data"] == "sensors line 9"
    assert client.get("/api/logs/rplidar_node/1").json()["data"] == "sensors line 9"
    assert client.get("/api/logs/CONSOLE/2").json()["data"] == "console line 8\nconsole line 9"
    types = client.get("/api/logs").json()
    assert types["success"] is True
    # the stack's logs first (all of them, then each process in start order), then the system's
    assert types["log_types"][:4] == ["STACK", "CORE", "SENSORS", "CONSOLE"]
    assert "SYS" in types["log_types"] and types["default"] == "STACK"


def test_stack_log_is_every_process_log(client: ConsoleClient, settings) -> None:
    assert client.get("/api/logs/STACK/10").json()["data"] == "File Not Found!"
    write_lines(settings.process_logs_dir / "core.log", 10, "core")
    write_lines(settings.process_logs_dir / "inference.log", 10, "inference")
    assert client.get("/api/logs/STACK/4").json()["data"] == (
        "==> core.log <==\ncore line 8\ncore line 9\n\n==> inference.log <==\ninference line 8\ninference line 9")
    assert client.get("/api/logs/stack/0").json()["data"] == ""


def test_sys_is_still_the_system_log_on_a_car(client: ConsoleClient, settings) -> None:
    write_lines(settings.syslog_path, 5, "sys")
    write_lines(settings.process_logs_dir / "core.log", 5, "core")
    assert client.get("/api/logs/SYS/1").json()["data"] == "sys line 4"


def test_sys_is_the_stack_on_the_simulated_car(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "sim", hardware_mode="sim")
    write_lines(settings.syslog_path, 5, "laptop")
    write_lines(settings.process_logs_dir / "core.log", 5, "core")
    with TestClient(create_app(settings, FakeCar())) as http:
        client = ConsoleClient(http)
        assert client.login().json() == {"redirect": "/home"}
        assert client.get("/api/logs/SYS/2").json()["data"] == "==> core.log <==\ncore line 3\ncore line 4"
        assert client.get("/api/logs/SYS/2").json() == client.get("/api/logs/STACK/2").json()


def test_unknown_types_and_paths_are_refused(client: ConsoleClient, settings) -> None:
    settings.password_file.write_text("secret-hash")
    for log_type in ("PASSWORD_PATH", "password", "password.txt", "etc", "syslog"):
        body = client.get(f"/api/logs/{log_type}/10").json()
        assert body == {"success": True, "data": NO_SUCH_TYPE}, log_type
    assert client.get("/api/logs/..%2F..%2Fpassword.txt/10").status_code in (200, 404)
    assert "secret-hash" not in client.get("/api/logs/..%2F..%2Fpassword.txt/10").text
    assert client.get("/api/logs/SYS/-1").status_code == 404
    assert client.get("/api/logs/SYS/ten").status_code == 404


def test_missing_process_log(client: ConsoleClient) -> None:
    assert client.get("/api/logs/INFERENCE/5").json() == {"success": True, "data": "File Not Found!"}


def test_tail_reads_big_files_backwards(tmp_path) -> None:
    path = tmp_path / "big.log"
    write_lines(path, 200_000, "x")
    assert tail_lines(path, 2, chunk=4096) == ["x line 199998", "x line 199999"]
