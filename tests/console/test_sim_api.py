"""/api/sim/status and /api/sim/track: the simulated car's status.json and track.json."""

from __future__ import annotations

import json
import os
import time

from tests.console.conftest import ConsoleClient

STATUS = {"track": "loop", "laps": 2, "off_track": 1, "last_lap_s": 21.5, "pose": {"x": 1.0, "y": 2.0, "yaw": 0.5},
          "speed": 0.8, "trail": [[1.0, 2.0], [1.1, 2.1]], "lap_time_s": 3.2}
TRACK = {"name": "loop", "width_m": 6.0, "height_m": 4.0, "centerline": [[0, 0], [1, 0]],
         "inner": [[0, 0.3]], "outer": [[0, -0.3]]}


def test_not_running(client: ConsoleClient) -> None:
    expected = {"success": False, "reason": "The simulated car is not running"}
    assert client.get("/api/sim/status").json() == expected
    assert client.get("/api/sim/track").json() == expected


def test_status_and_track(client: ConsoleClient, settings) -> None:
    settings.sim_dir.mkdir(parents=True)
    (settings.sim_dir / "status.json").write_text(json.dumps(STATUS))
    (settings.sim_dir / "track.json").write_text(json.dumps(TRACK))
    assert client.get("/api/sim/status").json() == {**STATUS, "success": True}
    assert client.get("/api/sim/track").json() == {**TRACK, "success": True}


def test_a_stale_status_means_the_simulator_stopped(client: ConsoleClient, settings) -> None:
    settings.sim_dir.mkdir(parents=True)
    path = settings.sim_dir / "status.json"
    path.write_text(json.dumps(STATUS))
    old = time.time() - 60
    os.utime(path, (old, old))
    assert client.get("/api/sim/status").json()["success"] is False
    path.write_text("{broken")
    assert client.get("/api/sim/status").json()["success"] is False
