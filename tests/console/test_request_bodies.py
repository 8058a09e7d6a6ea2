"""Malformed request bodies get a clear 400 on every JSON route and change nothing;
the HTTP layer has no ROS in it."""

from __future__ import annotations

import subprocess
import sys

from device_console.api.route_table import route_table
from tests.console.conftest import ConsoleClient
from tests.console.fake_car import FakeCar
from tests.console.test_route_protection import concrete

# Unsafe routes that take no JSON body (or a non-JSON one).
NOT_JSON = {"/login", "/auth", "/redirect_login", "/api/manual_drive/heartbeat", "/api/begin_software_update",
            "/api/uploadModels", "/api/models/{model_folder_name}/{model_name}", "/api/software_update/upload"}


def test_bad_json_is_refused_everywhere(client: ConsoleClient, car: FakeCar, app, settings) -> None:
    checked = 0
    for route in route_table(app):
        if route.path in NOT_JSON:
            continue
        for method in sorted(route.methods & {"POST", "PUT"}):
            for raw in (b"{not json", b"[1, 2, 3]", b'"text"'):
                response = client.send(method, concrete(route.path), content=raw,
                                       headers={"Content-Type": "application/json"})
                assert response.status_code == 400, f"{method} {route.path} accepted {raw!r}"
                body = response.json()
                assert body["success"] is False and body["reason"], route.path
            checked += 1
    assert checked >= 20
    assert car.calls == [] and car.published == []
    assert not settings.update_status_file.exists()


def test_the_http_layer_does_not_import_rclpy() -> None:
    code = ("import sys, device_console.main, device_console.core.server, device_console.core.tls; "
            "assert 'rclpy' not in sys.modules, 'rclpy imported'")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).returncode == 0
