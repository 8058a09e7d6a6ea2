"""/api/recordings and /api/logging_settings (ours): the recorder's bags listed with model, start,
duration, frames and size; replay frames (results and JPEG); download as .tar.gz; delete (not the bag
being written); logging mode and storage written to logging.conf, bad values refused and nothing
changed."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from rclpy.serialization import serialize_message

from recording.writer import BagWriter, TopicInfo
from tests.console.conftest import ConsoleClient
from tests.recording import messages

NAME = "racer1-fast-20260530-123456"


def write_bag(folder: Path, frames: int = 6) -> None:
    writer = BagWriter(folder, "mcap")
    writer.open()
    writer.add_topic(TopicInfo("/inference_pkg/rl_results", "deepracer_interfaces_pkg/msg/InferResultsArray"))
    for i in range(frames):
        writer.write("/inference_pkg/rl_results", 1_780_000_000_000_000_000 + i * 33_333_333,
                     serialize_message(messages.results(i)))
    writer.close()


def test_list_replay_download_delete(client: ConsoleClient, settings) -> None:
    write_bag(settings.logs_dir / NAME)
    (settings.logs_dir / "core.log").write_text("a process log, not a bag\n")
    (settings.artifacts_dir / "racer1-fast").mkdir(parents=True)
    (settings.artifacts_dir / "racer1-fast" / "model_metadata.json").write_text(json.dumps(
        {"action_space": [{"steering_angle": -30.0, "speed": 1.0, "index": 0}]}))
    body = client.get("/api/recordings").json()
    assert body["success"] is True and body["output_path"] == str(settings.logs_dir)
    [rec] = body["recordings"]
    assert rec["name"] == NAME and rec["model"] == "racer1-fast" and rec["frames"] == 6 and rec["complete"]
    assert rec["duration_s"] == 5 * 33_333_333 / 1e9 and rec["start"] == 1_780_000_000.0 and rec["size_bytes"] > 0

    frames = client.get(f"/api/recordings/{NAME}/frames").json()
    assert [f["index"] for f in frames["frames"]] == list(range(6)) and frames["model"] == "racer1-fast"
    assert frames["actions"] == [{"steering_angle": -30.0, "speed": 1.0, "index": 0}]
    assert [label for label, _p in frames["frames"][2]["results"]] == [0, 1, 2, 3, 4]
    image = client.get(f"/api/recordings/{NAME}/frames/2")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.content[:2] == b"\xff\xd8"
    assert client.get(f"/api/recordings/{NAME}/frames/6").status_code == 404

    download = client.get(f"/api/recordings/{NAME}/download")
    assert download.status_code == 200 and f'filename="{NAME}.tar.gz"' in download.headers["content-disposition"]
    with tarfile.open(fileobj=io.BytesIO(download.content), mode="r:gz") as tar:
        assert sorted(tar.getnames()) == [NAME, f"{NAME}/metadata.yaml", f"{NAME}/{NAME}.mcap"]

    # the bag being written is not deleted; a finished one is
    (settings.state_dir / "run").mkdir()
    (settings.state_dir / "run" / "recorder.json").write_text(json.dumps({"status": "recording", "bag": NAME}))
    refused = client.send("DELETE", f"/api/recordings/{NAME}").json()
    assert refused["success"] is False and "still being written" in refused["reason"]
    assert (settings.logs_dir / NAME).is_dir()
    (settings.state_dir / "run" / "recorder.json").write_text(json.dumps({"status": "idle", "bag": ""}))
    assert client.send("DELETE", f"/api/recordings/{NAME}").json() == {"success": True}
    assert not (settings.logs_dir / NAME).exists() and (settings.logs_dir / "core.log").exists()
    assert client.get("/api/recordings").json()["recordings"] == []


def test_names_outside_the_listing_are_refused(client: ConsoleClient, settings) -> None:
    write_bag(settings.logs_dir / NAME, frames=1)
    for bad in ("core.log", ".hidden", "no-such-bag-20260101-000000"):
        body = client.get(f"/api/recordings/{bad}/frames").json()
        assert body["success"] is False, bad
        assert client.send("DELETE", f"/api/recordings/{bad}").json()["success"] is False
    assert (settings.logs_dir / NAME).is_dir()


def test_logging_settings(client: ConsoleClient, settings) -> None:
    body = client.get("/api/logging_settings").json()
    assert (body["mode"], body["provider"]) == ("Always", "mcap")
    assert body["modes"] == ["Never", "USBOnly", "Always"] and body["providers"] == ["mcap", "sqlite3"]
    saved = client.post("/api/logging_settings", json={"mode": "USBOnly", "provider": "sqlite3"}).json()
    assert saved == {"success": True, "mode": "USBOnly", "provider": "sqlite3"}
    assert (settings.state_dir / "logging.conf").read_text() == "provider=sqlite3\nmode=usbonly\n"
    for bad in ({"mode": "Sometimes", "provider": "mcap"}, {"mode": "Always", "provider": "rosbag1"}, {"mode": "Always"}):
        assert client.post("/api/logging_settings", json=bad).json()["success"] is False
    assert (settings.state_dir / "logging.conf").read_text() == "provider=sqlite3\nmode=usbonly\n"
