"""Software update routes: mandatory-update file, availability, begin, and the progress event stream."""

from __future__ import annotations

import json

from device_console.car import UpdateProgress
from tests.console.conftest import ConsoleClient
from tests.console.fake_car import FakeCar


def test_mandatory_update_status_file(client: ConsoleClient, settings) -> None:
    assert client.get("/api/get_mandatory_update_status").json() == {"success": True, "status": False}
    assert json.loads(settings.update_status_file.read_text()) == {"update_completed": False}
    assert client.put("/api/set_mandatory_update_status", {"update_completed": True}).json() == {"success": True}
    assert json.loads(settings.update_status_file.read_text()) == {"update_completed": True}
    assert client.get("/api/get_mandatory_update_status").json() == {"success": True, "status": True}
    assert client.post("/api/set_mandatory_update_status", {"update_completed": "yes"}).json()["success"] is False
    assert client.post("/api/set_mandatory_update_status", {}).json()["success"] is False
    assert json.loads(settings.update_status_file.read_text()) == {"update_completed": True}


def test_update_availability_and_begin(client: ConsoleClient, car: FakeCar) -> None:
    assert client.get("/api/is_software_update_available").json() == {"success": True, "status": False}
    assert client.get("/api/begin_software_update").json()["success"] is False
    car.update_state = 1
    assert client.get("/api/is_software_update_available").json() == {"success": True, "status": True}
    assert client.post("/api/begin_software_update").json() == {"success": True}
    assert car.called("begin_software_update")[-1] == 2
    car.unavailable.add("software_update_check")
    assert client.get("/api/is_software_update_available").json()["success"] is False


def test_update_status_event_stream(client: ConsoleClient, car: FakeCar) -> None:
    car.progress = UpdateProgress(update_pct=42.7, status="downloading")
    with client.http.stream("GET", "/api/update_status") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        first = next(line for line in lines if line)
        assert first == "data: status:downloading|update_pct:42 1"
        car.progress = UpdateProgress(update_pct=100.0, status="complete")
        second = next(line for line in lines if line)
        assert second == "data: status:complete|update_pct:100 2"
