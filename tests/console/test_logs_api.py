"""/api/logs/<type>/<n>: an allow-list of logs, never a path from the URL; at most 1000 lines."""

from __future__ import annotations

from device_console.logs import NO_SUCH_TYPE, tail_lines
from tests.console.conftest import ConsoleClient


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
    write_lines(settings.logs_dir / "core.log", 10, "core")
    write_lines(settings.logs_dir / "console.log", 10, "console")
    assert client.get("/api/logs/CORE/1").json()["data"] == "core line 9"
    assert client.get("/api/logs/servo_node/1").json()["data"] == "core line 9"
    assert client.get("/api/logs/CONSOLE/2").json()["data"] == "console line 8\nconsole line 9"
    types = client.get("/api/logs").json()
    assert types["success"] is True
    assert {"SYS", "CORE", "CONSOLE"} <= set(types["log_types"])


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
