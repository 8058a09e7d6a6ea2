"""A manual driver that goes quiet (tab closed, network lost) stops the car after 0.5 s."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from device_console.app import create_app
from device_console.manual_drive import ManualDriveWatchdog
from tests.console.conftest import ConsoleClient, make_settings
from tests.console.fake_car import FakeCar
from tests.support.ros import wait_until


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_watchdog_stops_once_after_the_timeout() -> None:
    clock = Clock()
    stops: list[float] = []
    dog = ManualDriveWatchdog(lambda: stops.append(clock.now), timeout=0.5, clock=clock)
    dog.command(0.0, 0.5)
    clock.now = 0.4
    assert not dog.check()
    dog.heartbeat()
    clock.now = 0.8
    assert not dog.check()  # heartbeat at 0.4 keeps it alive until 0.9
    clock.now = 0.95
    assert dog.check()
    assert stops == [0.95]
    clock.now = 5.0
    assert not dog.check()  # one stop, not a stream of them
    assert dog.stops == 1


def test_a_stopped_car_needs_no_heartbeat() -> None:
    clock = Clock()
    stops: list[float] = []
    dog = ManualDriveWatchdog(lambda: stops.append(clock.now), timeout=0.5, clock=clock)
    dog.command(0.0, 0.0)
    clock.now = 10.0
    assert not dog.check()
    dog.command(0.3, 0.0)  # steering only also counts as driving
    dog.disengage()  # e.g. the stop button
    clock.now = 20.0
    assert not dog.check()
    assert stops == []


def test_the_app_stops_the_car_when_commands_stop(tmp_path: Path) -> None:
    car = FakeCar()
    settings = make_settings(tmp_path, manual_drive_timeout_s=0.2, watchdog_period_s=0.02)
    with TestClient(create_app(settings, car)) as http:
        client = ConsoleClient(http)
        client.login()
        assert client.put("/api/manual_drive", {"angle": 0, "throttle": -1, "max_speed": 1}).json()["success"]
        moving = car.drive_commands()[0]
        assert moving[1] > 0
        wait_until(lambda: car.drive_commands()[-1] == (0.0, 0.0), timeout=5, what="the dead-man stop")
        assert car.drive_commands() == [moving, (0.0, 0.0)]


def test_heartbeat_route_keeps_the_driver_alive(tmp_path: Path) -> None:
    clock = Clock()
    car = FakeCar()
    settings = make_settings(tmp_path, manual_drive_timeout_s=0.5)
    app = create_app(settings, car, monotonic=clock, run_watchdog=False)
    with TestClient(app) as http:
        client = ConsoleClient(http)
        client.login()
        client.put("/api/manual_drive", {"angle": 0, "throttle": -1, "max_speed": 1})
        watchdog = app.state.console.watchdog
        clock.now += 0.4
        assert client.post("/api/manual_drive/heartbeat").json() == {"success": True, "engaged": True,
                                                                     "timeout": 0.5}
        clock.now += 0.4
        assert not watchdog.check()
        clock.now += 0.2
        assert watchdog.check()
        assert car.drive_commands()[-1] == (0.0, 0.0)
        assert client.post("/api/manual_drive/heartbeat").json()["engaged"] is False


def test_console_shutdown_stops_a_moving_car(tmp_path: Path) -> None:
    car = FakeCar()
    app = create_app(make_settings(tmp_path), car, run_watchdog=False)
    with TestClient(app) as http:
        client = ConsoleClient(http)
        client.login()
        client.put("/api/manual_drive", {"angle": 0, "throttle": -1, "max_speed": 1})
    assert car.drive_commands()[-1] == (0.0, 0.0)
