"""Password guessing is slowed down per client: after a few failures each attempt must wait longer."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from device_console.core.security import LoginThrottle
from device_console.main import create_app
from tests.console.conftest import ConsoleClient, make_settings
from tests.console.fake_car import FakeCar


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_delays_grow_and_reset() -> None:
    clock = Clock()
    throttle = LoginThrottle(free_attempts=3, base_delay_s=1.0, max_delay_s=8.0, clock=clock)
    delays = [throttle.failure("10.0.0.2") for _ in range(7)]
    assert delays == [0.0, 0.0, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert throttle.wait_time("10.0.0.2") == 8.0
    assert throttle.wait_time("10.0.0.3") == 0.0  # other clients are not affected
    clock.now += 8.0
    assert throttle.wait_time("10.0.0.2") == 0.0
    throttle.success("10.0.0.2")
    assert throttle.failure("10.0.0.2") == 0.0


def test_login_route_refuses_attempts_while_a_client_must_wait(tmp_path: Path) -> None:
    clock = Clock()
    settings = make_settings(tmp_path, login_free_attempts=2, login_base_delay_s=4.0)
    with TestClient(create_app(settings, FakeCar(), monotonic=clock)) as http:
        client = ConsoleClient(http)
        client.fetch_csrf()
        assert client.login("guess1").text == "failure"
        assert client.login("guess2").text == "failure"  # the second failure imposes the first wait
        blocked = client.login("deepracer")
        assert blocked.status_code == 429
        assert blocked.text == "failure"
        assert blocked.headers["retry-after"] == "4"
        assert "deepracer_token" not in blocked.cookies
        # the same applies to ?epwd= auto-login
        assert http.get("/?epwd=deepracer", follow_redirects=False).status_code == 429
        clock.now += 4.0
        assert client.login("guess3").text == "failure"
        assert client.login("deepracer").status_code == 429
        assert client.login("deepracer").headers["retry-after"] == "8"
        clock.now += 8.0
        assert client.login("deepracer").json() == {"redirect": "/home"}
        # success reset the client: a wrong password does not lock it out at once
        assert client.login("oops").text == "failure"
        assert client.login("deepracer").json() == {"redirect": "/home"}
