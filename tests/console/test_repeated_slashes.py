"""Repeated slashes in the path (`//login`, `///api/get_battery_level`) are merged at the edge of the
app, as nginx did in front of the original console: every route answers them as the merged path."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx

from device_console.api.route_table import route_table
from device_console.core.edge import PathNormalizer, merge_slashes
from device_console.core.tls import generate_certificate
from device_console.main import create_app
from tests.console.conftest import CSRF_META, ConsoleClient, make_settings
from tests.console.fake_car import FakeCar
from tests.console.live_server import LiveServer
from tests.console.models_helper import archive_bytes
from tests.console.test_route_protection import concrete

# endless answers (MJPEG, server-sent events): compared over a real connection below
STREAMS = {"/route", "/api/update_status"}
# end the session: requested last
LOGOUTS = {"/logout", "/redirect_login"}
VOLATILE_KEYS = {"time"}  # /api/get_time: the clock may tick between the two requests


def doubled(path: str) -> str:
    return path.replace("/", "//")


def url(base: str, path: str) -> str:
    """An absolute URL, as `base + "/" + path` clients build it (a bare `//api/...` would be read as
    a host name by an HTTP client)."""
    return base.rstrip("/") + path


def normalised(response: httpx.Response) -> Any:
    text = CSRF_META.sub('<meta name="csrf-token" content="TOKEN"', response.text)
    if response.headers.get("content-type", "").startswith("application/json"):
        data = json.loads(text)
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in VOLATILE_KEYS}
        return data
    return text


def requests_of(app: Any) -> list[tuple[str, str]]:
    pairs = []
    for route in route_table(app):
        if route.kind == "mount":
            pairs.append(("GET", "/static/js/app.js"))
            continue
        if route.path in STREAMS:
            continue
        for method in sorted(route.methods - {"HEAD"}):
            pairs.append((method, concrete(route.path)))
    return sorted(pairs, key=lambda pair: pair[1] in LOGOUTS)


def compare_all(client: ConsoleClient, app: Any, csrf: bool) -> int:
    compared = 0
    for method, path in requests_of(app):
        answers = []
        for form in (path, doubled(path), "/" + doubled(path)):
            kwargs: dict[str, Any] = {"headers": client.headers() if csrf else {}}
            if method in ("POST", "PUT"):
                kwargs["json"] = {}
            answers.append(client.http.request(method, url(str(client.http.base_url), form), **kwargs))
        merged, *others = answers
        for other in others:
            assert other.status_code == merged.status_code, f"{method} {path}: {other.status_code} != " \
                                                            f"{merged.status_code}"
            assert normalised(other) == normalised(merged), f"{method} {path}"
        compared += 1
    return compared


def test_every_route_answers_repeated_slashes_as_the_merged_path(anon: ConsoleClient, app: Any) -> None:
    # not logged in, no CSRF header: the same 401 / 403 / pages
    assert compare_all(anon, app, csrf=False) > 50
    # logged in with the CSRF token: the same answers (bodies, validation texts, pages)
    assert anon.login().json() == {"redirect": "/home"}
    assert anon.get(url(str(anon.http.base_url), "//api//server_ready")).json() == {"success": True, "status": True}
    assert compare_all(anon, app, csrf=True) > 50


def test_the_edge_merges_path_and_raw_path_only() -> None:
    seen: list[dict[str, Any]] = []

    async def echo(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})

    async def run(scope: dict[str, Any]) -> None:
        async def receive() -> dict[str, Any]:
            return {"type": "http.disconnect"}

        async def send(_message: Any) -> None:
            return None

        await PathNormalizer(echo)(scope, receive, send)

    import asyncio

    for kind in ("http", "websocket"):
        asyncio.run(run({"type": kind, "path": "///api//manual_drive/ws", "raw_path": b"///api//manual_drive/ws",
                         "query_string": b"next=//home&x=a//b", "headers": [], "method": "GET"}))
        assert seen[-1]["path"] == "/api/manual_drive/ws"
        assert seen[-1]["raw_path"] == b"/api/manual_drive/ws"
        assert seen[-1]["query_string"] == b"next=//home&x=a//b"
    assert merge_slashes("/a/b/") == "/a/b/" and merge_slashes("//") == "/"


def test_streams_with_repeated_slashes(tmp_path: Path) -> None:
    car = FakeCar()
    with LiveServer(create_app(make_settings(tmp_path), car)) as server:
        client, _csrf = server.logged_in_client()
        try:
            for path in ("/route?topic=/camera_pkg/display_mjpeg&width=480&height=360", "/api/update_status"):
                kinds = []
                route, sep, query = path.partition("?")
                for form in (path, doubled(route) + sep + query):
                    with client.stream("GET", url(server.url, form)) as response:
                        assert response.status_code == 200, form
                        kinds.append(response.headers["content-type"])
                        if "update_status" in path:
                            first = next(response.iter_lines())
                            assert re.match(r"data: status:\w+\|update_pct:\d+ 1", first), first
                assert kinds[0] == kinds[1]
            # the query string is not merged: a topic given with a double slash is not a topic
            answer = client.get(url(server.url, "//route?topic=//camera_pkg/display_mjpeg"))
            assert answer.status_code == 404 and "//camera_pkg" in answer.json()["reason"]
        finally:
            client.close()


def test_login_upload_and_drive_through_double_slashes_over_https(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    certs = generate_certificate(settings.certs_dir, addresses=["127.0.0.1"])
    car = FakeCar()
    with LiveServer(create_app(settings, car), certs=certs) as server:
        assert server.url.startswith("https://")
        with httpx.Client(verify=str(certs[0]), timeout=30) as client:
            base = server.url
            page = client.get(url(base, "//login"))
            assert page.status_code == 200
            csrf = CSRF_META.search(page.text).group(1)
            login = client.post(url(base, "//login"), data={"password": "deepracer"}, headers={"X-CSRFToken": csrf})
            assert login.json() == {"redirect": "/home"}
            assert client.get(url(base, "///api///get_battery_level")).json() == {"battery_level": 9, "success": True}

            upload = client.put(url(base, "//api//uploadModels"), headers={"X-CSRFToken": csrf},
                                files={"file": ("Slashes model.tar.gz", archive_bytes(), "application/gzip")})
            assert upload.json()["success"] is True, upload.text
            names = [row["name"] for row in client.get(url(base, "//api/uploaded_model_list")).json()]
            assert names == ["Slashes_model"]

            drive = client.put(url(base, "//api//manual_drive"), headers={"X-CSRFToken": csrf},
                               json={"angle": 0.5, "throttle": -0.5, "max_speed": 0.5})
            assert drive.json() == {"success": True}
            angle, throttle = car.drive_commands()[-1]
            assert angle < 0 and throttle > 0
            refused = client.put(url(base, "//api//manual_drive"), json={"angle": 0, "throttle": 0, "max_speed": 0.5})
            assert refused.status_code == 403  # CSRF still checked on the merged path
            stop = client.post(url(base, "///api/start_stop"), headers={"X-CSRF-Token": csrf}, json={"start_stop": "stop"})
            assert stop.json()["success"] is True
            assert car.drive_commands()[-1] == (0.0, 0.0)
            client.get(url(base, "//redirect_login"))
            assert client.get(url(base, "//api//server_ready")).status_code == 401
