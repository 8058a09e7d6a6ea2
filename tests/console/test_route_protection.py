"""Every route except the login flow needs the login cookie; every unsafe method needs a CSRF header.

The routes are enumerated from the app itself, so a route added later without protection fails here.
"""

from __future__ import annotations

import re

import pytest

from device_console.api.route_table import route_table
from device_console.main import create_app
from tests.console.conftest import ConsoleClient, make_settings
from tests.console.fake_car import FakeCar

# The login flow (reachable without a login), as the original nginx left them open; and the same
# pages of the built-in UI under /builtin/ (reachable while an installed UI is served at /).
LOGIN_FLOW = {"/", "/home", "/login", "/auth", "/logout", "/redirect_login", "/favicon.ico", "/static",
              "/builtin/", "/builtin/home", "/builtin/login", "/builtin/logout", "/builtin/static"}
SAMPLE_PARAMS = {"kind": "angle", "model_folder_name": "m", "model_name": "model", "log_type": "SYS",
                 "num_lines": "10"}


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE_PARAMS.get(m.group(1), "x"), path)


def all_requests(app) -> list[tuple[str, str]]:
    pairs = []
    for route in route_table(app):
        assert route.kind in ("http", "mount", "websocket"), f"unexpected route kind {route.kind} at {route.path}"
        for method in sorted(route.methods - {"HEAD"}):
            pairs.append((method, route.path))
    return pairs


def test_the_route_table_is_complete(tmp_path) -> None:
    app = create_app(make_settings(tmp_path), FakeCar())
    paths = {path for _method, path in all_requests(app)}
    for expected in ("/api/manual_drive", "/api/models/{model_folder_name}/{model_name}", "/route", "/static",
                     "/api/logs/{log_type}/{num_lines}", "/api/password", "/api/uploadModels"):
        assert expected in paths
    assert len(paths) > 50


def test_every_route_outside_the_login_flow_needs_a_login(anon: ConsoleClient, app) -> None:
    checked = 0
    for method, path in all_requests(app):
        if path in LOGIN_FLOW:
            continue
        response = anon.send(method, concrete(path), json={})
        assert response.status_code == 401, f"{method} {path} answered {response.status_code} without a login"
        assert response.json()["success"] is False
        checked += 1
    assert checked > 45


def test_a_forged_or_expired_cookie_is_not_a_login(anon: ConsoleClient) -> None:
    anon.http.cookies.set("deepracer_token", "not-a-token")
    assert anon.get("/api/get_battery_level").status_code == 401


@pytest.mark.parametrize("header", ["X-CSRFToken", "X-CSRF-Token"])
def test_unsafe_methods_need_a_valid_csrf_header(client: ConsoleClient, app, header: str) -> None:
    unsafe = [(m, p) for m, p in all_requests(app) if m in ("POST", "PUT", "PATCH", "DELETE")]
    assert len(unsafe) > 20
    for method, path in unsafe:
        response = client.http.request(method, concrete(path), json={})
        assert response.status_code == 403, f"{method} {path} accepted a request without CSRF header"
        assert response.json() == {"success": False, "reason": "The CSRF token is missing."}
        forged = client.http.request(method, concrete(path), json={}, headers={header: "1.abc.def"})
        assert forged.status_code == 403
        assert forged.json()["reason"] == "The CSRF token is invalid."
    # the same request with the page's token goes through
    good = client.http.put("/api/manual_drive", json={"angle": 0, "throttle": 0, "max_speed": 0.5},
                           headers={header: client.csrf})
    assert good.json() == {"success": True}


def test_login_itself_needs_the_csrf_header(anon: ConsoleClient) -> None:
    response = anon.http.post("/login", data={"password": "deepracer"})
    assert response.status_code == 403
    assert "deepracer_token" not in response.cookies


def test_state_changing_get_routes_refuse_cross_site_navigation(client: ConsoleClient, car: FakeCar) -> None:
    for path in ("/api/set_calibration_mode", "/api/enableSsh", "/api/disableSsh", "/api/begin_software_update"):
        response = client.get(path, headers={"Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 403, path
    assert car.called("set_vehicle_state") == []
    assert client.get("/api/set_calibration_mode", headers={"Sec-Fetch-Site": "same-origin"}).json() == {
        "success": True}


def test_security_headers_are_set(client: ConsoleClient) -> None:
    response = client.get("/api/server_ready")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


def test_websocket_routes_need_a_login_the_csrf_token_and_our_origin(app, anon: ConsoleClient) -> None:
    from starlette.testclient import WebSocketDenialResponse
    from starlette.websockets import WebSocketDisconnect

    sockets = [r.path for r in route_table(app) if r.kind == "websocket"]
    assert sockets == ["/api/manual_drive/ws"]
    for path in sockets:
        with pytest.raises(WebSocketDenialResponse) as refused:  # no login
            with anon.http.websocket_connect(f"{path}?csrf={anon.csrf}"):
                pass
        assert refused.value.status_code == 401
        anon.login()
        with pytest.raises(WebSocketDenialResponse) as refused:  # a forged token
            with anon.http.websocket_connect(f"{path}?csrf=1.abc.def"):
                pass
        assert refused.value.status_code == 403
        with pytest.raises(WebSocketDenialResponse) as refused:  # another site's page
            with anon.http.websocket_connect(f"{path}?csrf={anon.csrf}", headers={"Origin": "https://evil.example"}):
                pass
        assert refused.value.status_code == 403
        with anon.http.websocket_connect(path) as ws:  # no token in the query: the first message must bring it
            ws.send_json({"type": "drive", "angle": 0, "throttle": -1, "max_speed": 1})
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == 1008
        with anon.http.websocket_connect(f"{path}?csrf={anon.csrf}", headers={"Origin": "http://testserver"}) as ws:
            assert ws.receive_json()["type"] == "ready"
