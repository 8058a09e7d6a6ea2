"""Clients that send a command only when something changes (issue 11 §3), on the real stack
(`deepracer run --sim`, tests/support/stack.py): the console holds their last command while they are
alive, and the virtual car stops when they are gone.

The car's speed comes from GET /api/sim/status, read by a second login (an observer) so that the
driver's own session stays silent. The simulated ESC has a first-order speed response (0.25 s), so
"stopped" is a speed under STOPPED (3 cm/s), and the ESC pulse is checked at the calibrated neutral.
The driver circles gently (left steering, lowest throttle: ~0.27 m/s), which keeps it on the loop.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support.ros import wait_until
from tests.support.stack import SimStack

pytestmark = pytest.mark.ros

CIRCLE = {"angle": -0.3, "throttle": -0.3, "max_speed": 0.05}  # left, slow forward
MOVING = 0.15  # m/s: the circle runs at ~0.27
STOPPED = 0.03  # m/s


class Car:
    def __init__(self, stack: SimStack) -> None:
        self.stack = stack
        self.observer = stack.login()
        self.esc_duty_file = stack.state_dir / "sim" / "sys" / "class" / "pwm" / "pwmchip1" / "pwm0" / "duty_cycle"

    def speed(self) -> float:
        body = self.observer.get("/api/sim/status").json()
        assert body["success"] is True, body
        return float(body["speed"])

    def esc_duty(self) -> int:
        return int(self.esc_duty_file.read_text())

    def esc_neutral(self) -> int:
        cal = json.loads((self.stack.state_dir / "calibration.json").read_text())
        return int(cal["Calibration"]["Motor"]["mid"])

    def reset(self) -> None:
        """Back on the start line (the simulator's SIGUSR1), standing."""
        os.kill(self.stack.process_pids()["sim"], signal.SIGUSR1)
        wait_until(lambda: abs(self.speed()) < STOPPED and self.observer.get("/api/sim/status").json()["laps"] == 0,
                   10, "the simulated car back on the start line")

    def wait_moving(self) -> None:
        wait_until(lambda: self.speed() > MOVING, 10, "the simulated car to drive")

    def time_to_stop(self, since: float, limit: float) -> float:
        """Seconds from `since` until the car is stopped (fails after `limit`)."""
        wait_until(lambda: abs(self.speed()) < STOPPED, limit + 5, "the simulated car to stop")
        return time.monotonic() - since


@pytest.fixture(scope="module")
def car(sim_stack: SimStack) -> Iterator[Car]:
    the_car = Car(sim_stack)
    yield the_car
    the_car.observer.post("/api/start_stop", json={"start_stop": "stop"})
    the_car.observer.close()


@pytest.fixture
def driver(car: Car, sim_stack: SimStack) -> Iterator[httpx.Client]:
    """A fresh login that drives like a client of the original car (never a heartbeat)."""
    car.reset()
    client = sim_stack.login()
    assert client.post("/api/drive_mode", json={"drive_mode": "manual"}).json() == {"success": True}
    assert client.post("/api/start_stop", json={"start_stop": "start"}).json() == {"success": True}
    try:
        yield client
    finally:
        client.post("/api/start_stop", json={"start_stop": "stop"})
        client.close()


@pytest.fixture
def hold(car: Car) -> Iterator[Callable[[float], None]]:
    """hold(seconds): set legacy_drive_hold_s from the Settings API; put back afterwards."""
    before = car.observer.get("/api/drive_settings").json()["legacy_drive_hold_s"]

    def _set(seconds: float) -> None:
        assert car.observer.post("/api/drive_settings", json={"legacy_drive_hold_s": seconds}).json()[
            "legacy_drive_hold_s"] == seconds

    yield _set
    _set(before)


def drive(client: httpx.Client) -> float:
    """One manual_drive; returns the time just before it was sent."""
    sent = time.monotonic()
    assert client.put("/api/manual_drive", json=CIRCLE).json() == {"success": True}
    return sent


def sample_speeds(car: Car, seconds: float, every: Callable[[], Any] | None = None,
                  period: float = 1.0) -> list[float]:
    """Speeds over `seconds` (about 4 a second); `every()` runs each `period` s (a UI's poll)."""
    speeds = []
    end = time.monotonic() + seconds
    next_call = time.monotonic() + period
    while time.monotonic() < end:
        speeds.append(car.speed())
        if every is not None and time.monotonic() >= next_call:
            every()
            next_call += period
        time.sleep(0.25)
    return speeds


def test_requests_of_the_session_keep_a_short_hold_alive(car: Car, driver: httpx.Client, hold) -> None:
    hold(2.0)
    drive(driver)
    car.wait_moving()
    speeds = sample_speeds(car, 5.0, every=lambda: driver.get("/api/get_battery_level"), period=1.0)
    assert min(speeds) > MOVING, speeds  # 5 s > the 2 s hold: the session's requests keep it
    silent_from = time.monotonic()
    assert car.time_to_stop(silent_from, 3.0) <= 2.0 + 1.0


def test_total_silence_stops_within_a_short_hold_plus_1_s(car: Car, driver: httpx.Client, hold) -> None:
    hold(2.0)
    sent = drive(driver)
    car.wait_moving()
    assert car.time_to_stop(sent, 3.0) <= 2.0 + 1.0
    assert car.esc_duty() == car.esc_neutral()


def test_one_command_then_silence_drives_10_s_and_stops_within_the_default_hold_plus_1_s(
        car: Car, driver: httpx.Client) -> None:
    assert car.observer.get("/api/drive_settings").json()["legacy_drive_hold_s"] == 15.0
    sent = drive(driver)
    car.wait_moving()
    speeds = sample_speeds(car, 10.0 - (time.monotonic() - sent))
    assert len(speeds) > 20 and min(speeds) > MOVING, speeds  # 10 s, session alive: moving the whole time
    stopped_after = car.time_to_stop(sent, 16.0)
    assert 15.0 - 1.0 < stopped_after <= 15.0 + 1.0  # the hold (and not something else) stopped it
    assert car.esc_duty() == car.esc_neutral()


def test_closing_the_sessions_video_stream_stops_within_1_s(car: Car, driver: httpx.Client) -> None:
    with driver.stream("GET", "/route", params={"topic": "/camera_pkg/display_mjpeg"}) as stream:
        assert stream.status_code == 200
        parts = stream.iter_bytes()  # kept: dropping the iterator would close the stream
        assert b"image/jpeg" in next(parts)  # the stream is live
        drive(driver)
        car.wait_moving()
        assert min(sample_speeds(car, 1.0)) > MOVING
        assert next(parts)  # still streaming
        closed = time.monotonic()
    # the tab was closed (the stream's connection ends): stopped within 1 s, well before the hold
    assert car.time_to_stop(closed, 1.0) <= 1.0
    assert car.esc_duty() == car.esc_neutral()


def test_a_stream_whose_client_stops_reading_stops_the_car(car: Car, driver: httpx.Client,
                                                           sim_stack: SimStack) -> None:
    # A client that is frozen or gone without closing its connection: the video it does not read
    # fills the socket buffers; the console notices within seconds (TCP_USER_TIMEOUT on the
    # connection, or a frame write that does not finish) and stops the car, well before the hold.
    token = driver.cookies["deepracer_token"]
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills quickly
    sock.connect(("127.0.0.1", sim_stack.port))
    try:
        sock.sendall(f"GET /route?topic=/camera_pkg/display_mjpeg HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Cookie: deepracer_token={token}\r\n\r\n".encode())
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        drive(driver)
        car.wait_moving()
        stopped_reading = time.monotonic()  # from here on nothing is read from the socket
        assert car.time_to_stop(stopped_reading, 10.0) <= 10.0  # the hold is 15 s
    finally:
        sock.close()


def test_calibration_previews_stop_at_the_calibrated_neutral(car: Car, driver: httpx.Client, hold) -> None:
    # issue 12: a throttle preview of 0 backed the car up (1.5 ms, while the calibrated neutral is
    # 1.446 ms) and a preview was held for ever with nobody talking to the car.
    hold(2.0)
    neutral = car.esc_neutral()
    assert neutral != 1_500_000
    assert driver.get("/api/set_calibration_mode").json() == {"success": True}
    try:
        assert driver.post("/api/adjust_calibrating_wheels/throttle", json={"pwm": 0}).json() == {"success": True}
        wait_until(lambda: car.esc_duty() == neutral, 2, "the ESC at the calibrated neutral")
        assert max(abs(v) for v in sample_speeds(car, 1.0)) < STOPPED

        sent = time.monotonic()  # a slow forward preview (1.428 ms), then silence
        assert driver.post("/api/adjust_calibrating_wheels/throttle", json={"pwm": -16}).json() == {"success": True}
        car.wait_moving()
        assert car.time_to_stop(sent, 3.0) <= 2.0 + 1.0
        assert car.esc_duty() == neutral

        # leaving calibration mode is neutral at once
        assert driver.post("/api/adjust_calibrating_wheels/throttle", json={"pwm": -16}).json() == {"success": True}
        car.wait_moving()
        left = time.monotonic()
        assert driver.post("/api/drive_mode", json={"drive_mode": "manual"}).json() == {"success": True}
        assert car.time_to_stop(left, 1.0) <= 1.0
        assert car.esc_duty() == neutral
    finally:
        driver.post("/api/drive_mode", json={"drive_mode": "manual"})
