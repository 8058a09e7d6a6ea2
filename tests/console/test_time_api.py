"""/api/get_time and /api/set_timezone (community console additions)."""

from __future__ import annotations

import re

from tests.console.conftest import ConsoleClient


def test_get_time_defaults_to_utc(client: ConsoleClient) -> None:
    body = client.get("/api/get_time").json()
    assert body["success"] is True
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", body["time"])
    assert (body["timezone"], body["timezone_abbr"], body["utc_offset"]) == ("UTC", "UTC", "+0000")
    assert body["timezone_changed"] is False


def test_set_timezone(client: ConsoleClient) -> None:
    answer = client.post("/api/set_timezone", {"timezone": "Asia/Kolkata"}).json()
    assert answer["success"] is True
    body = client.get("/api/get_time").json()
    assert (body["timezone"], body["timezone_abbr"], body["utc_offset"]) == ("Asia/Kolkata", "IST", "+0530")
    assert body["timezone_changed"] is True


def test_bad_timezones_change_nothing(client: ConsoleClient) -> None:
    for body, reason in (({"timezone": "Mars/Olympus"}, "Unknown time zone: Mars/Olympus"),
                         ({"timezone": "../../etc/passwd"}, "Unknown time zone: ../../etc/passwd"),
                         ({}, "timezone is required"), ({"timezone": 3}, "timezone must be a string")):
        assert client.post("/api/set_timezone", body).json() == {"success": False, "reason": reason}
    assert client.get("/api/get_time").json()["timezone"] == "UTC"
