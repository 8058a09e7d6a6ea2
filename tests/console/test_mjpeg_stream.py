"""/route MJPEG: one encoding per frame and size for all viewers, slow viewers drop frames, the stream
ends when the client goes away; served by real uvicorn."""

from __future__ import annotations

import asyncio
import socket
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from device_console.core.config import CAMERA_TOPIC, OVERLAY_TOPIC
from device_console.main import create_app
from device_console.streaming import BOUNDARY, StreamHub, jpeg_size
from tests.console.conftest import make_settings
from tests.console.fake_car import FakeCar
from tests.console.live_server import LiveServer
from tests.support.ros import wait_until


def frame(value: int, width: int = 160, height: int = 120) -> np.ndarray:
    image = np.zeros((height, width, 3), np.uint8)
    image[:, : width // 2] = (value, 255 - value, 40)
    return image


def jpeg(value: int, width: int = 160, height: int = 120) -> bytes:
    ok, buf = cv2.imencode(".jpg", frame(value, width, height))
    assert ok
    return buf.tobytes()


def decode(data: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def test_jpeg_size_reads_the_header() -> None:
    assert jpeg_size(jpeg(10, 320, 240)) == (320, 240)
    assert jpeg_size(b"not a jpeg") is None


def test_each_frame_is_encoded_once_per_size_for_all_viewers() -> None:
    async def scenario() -> None:
        hub = StreamHub([CAMERA_TOPIC])
        viewers = [hub.frames(CAMERA_TOPIC, 480, 360) for _ in range(3)]
        small = hub.frames(CAMERA_TOPIC, 160, 120)
        for n in range(1, 4):
            hub.publish_bgr(CAMERA_TOPIC, frame(n * 40))
            outputs = [await anext(v) for v in viewers]
            assert len({data for data, _stamp in outputs}) == 1  # the very same bytes
            assert decode(outputs[0][0]).shape == (360, 480, 3)
            data, _ = await anext(small)
            assert decode(data).shape == (120, 160, 3)
            assert hub.encode_count == 2 * n  # one per size, not one per viewer
        assert hub.viewers(CAMERA_TOPIC) == 4
        for v in [*viewers, small]:
            await v.aclose()
        assert hub.viewers(CAMERA_TOPIC) == 0

    asyncio.run(scenario())


def test_a_jpeg_source_at_its_own_size_is_passed_through() -> None:
    async def scenario() -> None:
        hub = StreamHub([CAMERA_TOPIC])
        viewer = hub.frames(CAMERA_TOPIC)
        source = jpeg(99)
        assert hub.publish_jpeg(CAMERA_TOPIC, source)
        data, _ = await anext(viewer)
        assert data == source and hub.encode_count == 0
        # raw frames of the same topic are ignored while compressed ones arrive
        assert not hub.publish_bgr(CAMERA_TOPIC, frame(1))
        resized = hub.frames(CAMERA_TOPIC, 80, None)
        data, _ = await anext(resized)
        assert decode(data).shape == (60, 80, 3)  # aspect ratio kept
        await viewer.aclose()
        await resized.aclose()

    asyncio.run(scenario())


def test_a_slow_viewer_gets_the_newest_frame_not_a_backlog() -> None:
    async def scenario() -> None:
        hub = StreamHub([CAMERA_TOPIC])
        fast, slow = hub.frames(CAMERA_TOPIC, 160, 120), hub.frames(CAMERA_TOPIC, 160, 120)
        hub.publish_bgr(CAMERA_TOPIC, frame(0))
        await anext(fast)
        await anext(slow)
        for n in range(1, 6):
            hub.publish_bgr(CAMERA_TOPIC, frame(n * 40))
            await anext(fast)
        data, _ = await anext(slow)  # the slow one skipped frames 1..4
        assert int(decode(data)[60, 10, 0]) == pytest.approx(200, abs=6)
        assert hub.encode_count == 6
        await fast.aclose()
        await slow.aclose()

    asyncio.run(scenario())


def read_until(sock: socket.socket, marker: bytes, limit: int = 2_000_000) -> bytes:
    data = b""
    while marker not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed before {marker!r}")
        data += chunk
        assert len(data) < limit
    return data


def test_stream_over_http_ends_when_the_client_goes(tmp_path: Path) -> None:
    car = FakeCar()
    hub = car.stream_hub
    with LiveServer(create_app(make_settings(tmp_path), car)) as server:
        client, _csrf = server.logged_in_client()
        token = client.cookies.get("deepracer_token")
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(f"GET /route?topic={OVERLAY_TOPIC}&width=480&height=360&quality=80 HTTP/1.0\r\n"
                     f"Host: 127.0.0.1\r\nCookie: deepracer_token={token}\r\n\r\n".encode())
        wait_until(lambda: hub.viewers(OVERLAY_TOPIC) == 1, 10, "the viewer to register")
        hub.publish_bgr(OVERLAY_TOPIC, frame(120))
        data = read_until(sock, b"\xff\xd9\r\n")
        head, _, body = data.partition(b"\r\n\r\n")
        assert b"200 OK" in head.split(b"\r\n")[0]
        assert f"multipart/x-mixed-replace;boundary={BOUNDARY}".encode() in head
        assert body.startswith(f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n".encode())
        part_head, _, part = body.partition(b"\r\n\r\n")
        length = int(part_head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        assert decode(part[:length]).shape == (360, 480, 3)
        sock.close()
        # no further frame is needed: the disconnect itself ends the stream and drops the viewer
        wait_until(lambda: hub.viewers(OVERLAY_TOPIC) == 0, 10, "the viewer to go away")
        client.close()


def test_route_parameters(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from tests.console.conftest import ConsoleClient

    with TestClient(create_app(make_settings(tmp_path), FakeCar())) as http:
        client = ConsoleClient(http)
        client.login()
        unknown = client.get("/route", params={"topic": "/etc/passwd"})
        assert unknown.status_code == 404
        assert CAMERA_TOPIC in unknown.json()["topics"]
        for params in ({"width": "wide"}, {"width": "0"}, {"height": "99999"}, {"quality": "101"},
                       {"type": "h264"}):
            response = client.get("/route", params={"topic": CAMERA_TOPIC, **params})
            assert response.status_code == 400, params
            assert response.json()["success"] is False


def test_streams_end_cleanly_when_the_server_stops(tmp_path: Path) -> None:
    car = FakeCar()
    hub = car.stream_hub
    # a graceful timeout far beyond the join deadline: only ending the streams lets the server stop in time
    server = LiveServer(create_app(make_settings(tmp_path), car), graceful_timeout_s=120.0)
    with server:
        client, _csrf = server.logged_in_client()
        token = client.cookies.get("deepracer_token")
        client.close()
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(f"GET /route?topic={CAMERA_TOPIC} HTTP/1.0\r\nHost: x\r\n"
                     f"Cookie: deepracer_token={token}\r\n\r\n".encode())
        wait_until(lambda: hub.viewers(CAMERA_TOPIC) == 1, 10, "the viewer to register")
    assert server.stopped
    assert hub.viewers(CAMERA_TOPIC) == 0
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    assert data.startswith(b"HTTP/1.1 200") and b"multipart/x-mixed-replace" in data
    sock.close()


def test_closing_the_hub_ends_waiting_viewers() -> None:
    async def scenario() -> None:
        hub = StreamHub([CAMERA_TOPIC])
        viewer = hub.frames(CAMERA_TOPIC)
        waiting = asyncio.ensure_future(anext(viewer))
        await asyncio.sleep(0)  # let the viewer register and wait
        assert hub.viewers(CAMERA_TOPIC) == 1
        threading.Thread(target=hub.close).start()
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(waiting, 10)
        assert hub.viewers(CAMERA_TOPIC) == 0

    asyncio.run(scenario())
