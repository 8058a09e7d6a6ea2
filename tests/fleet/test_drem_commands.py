"""Every command the fleet manager (DREM) runs on a car (drem_contract.md §2), verbatim, through
`sh -c` as its SSM agent runs them, against the shared simulated car: serial read, delete models while
the stack runs, model upload (modern and legacy), tail light, a race (load, drive, record), race end
(white tail light, emergency stop), log fetch with the §2.7 command line, and the fetched bag read
back with the independent reader; then restart and "clean car" (systemctl recorded, not run).

Costs ~40 s (the model is converted by OpenVINO, and the race drives long enough to record frames and a
device status): one stack start is shared with the other end-to-end tests.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import socket
import tarfile
import time
from pathlib import Path

import pytest

from runtime.ros_shell import write_setup_bash
from sim.world import WorldConfig
from tests.fleet import drem
from tests.recording import bagcheck
from tests.support.ros import wait_until
from tests.support.stack import SimStack
from updates.bundle import EXTRACT_FILTER

REPO = Path(__file__).resolve().parents[2]
SAMPLE_ARCHIVE = REPO / "sample_models" / "sim_loop_model.tar.gz"
RACER, MODEL_KEY = "racer_1", "private/us-east-1/racer1/models/Fast-Model.tar.gz"
FOLDER = "racer1-Fast-Model"          # DREM: re.sub of the username + file name stem
RESULTS, STATUS = "/inference_pkg/rl_results", "/device_info_pkg/device_status"


def optimized_archive() -> bytes:
    """The archive as DREM re-uploads it after its cloud optimizer: the racer's export (model_metadata.json,
    agent/model.pb) plus agent/model.xml/.bin/.mapping from OpenVINO 2021 (IR v10), tarred without a prefix."""
    out = io.BytesIO()
    with tarfile.open(SAMPLE_ARCHIVE) as src, tarfile.open(fileobj=out, mode="w:gz") as dst:
        for member in src.getmembers():
            dst.addfile(member, src.extractfile(member))
        for name, data in (("agent/model.xml", b'<?xml version="1.0"?>\n<net name="model" version="10"></net>\n'),
                           ("agent/model.bin", b"\x00" * 64), ("agent/model.mapping", b"<mapping/>\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out.getvalue()


def ok(reply) -> dict:
    body = reply.json()
    assert body.get("success") is True, body
    return body


@pytest.fixture
def car(sim_stack: SimStack, sim_car_settings, tmp_path: Path):
    """The simulated car seen through DREM's paths; its models and anything but bags in logs/ are set
    aside while DREM deletes `artifacts/*` and `logs/*`, and put back afterwards (the stack is shared
    with other tests)."""
    state = sim_stack.state_dir
    write_setup_bash(state / "lib" / "setup.bash", REPO, Path("/opt/aws/deepracer"))
    kept = tmp_path / "kept"
    (kept / "artifacts").mkdir(parents=True)
    (kept / "logs").mkdir()
    moved: list[tuple[Path, Path]] = []
    for sub in ("artifacts", "logs"):
        for path in (state / sub).iterdir():
            if sub == "logs" and path.is_dir():
                continue   # other tests' bags may go
            target = state.parent / f".kept-{sub}-{path.name}"
            path.rename(target)           # same file system: open log files keep being written
            moved.append((target, state / sub / path.name))
    s3 = drem.FakeS3()
    try:
        yield drem.Car(tmp_path / "car", state, sim_stack.sim_dir / "sys" / "class" / "dmi" / "id"), s3
    finally:
        s3.close()
        for target, original in moved:
            if original.exists():
                shutil.rmtree(original) if original.is_dir() else original.unlink()
            target.rename(original)


def recorder_status(state: Path) -> dict:
    try:
        return json.loads((state / "run" / "recorder.json").read_text())
    except (OSError, ValueError):
        return {}


def test_a_race_day_through_the_fleet_managers_commands(sim_stack: SimStack, car) -> None:
    car_view, s3 = car
    state = sim_stack.state_dir
    hostname = socket.gethostname()
    pids = sim_stack.process_pids()
    client = sim_stack.login()
    try:
        # §2.8 chassis serial: where DREM looks, the simulated car's DMI serial
        result = car_view.run([drem.SERIAL_READ_SCRIPT])
        assert result.returncode == 0 and result.stdout == "SIM-DEEPRACER\n", result.stderr

        # §2.1 delete models (timekeeper: before the upload) while the stack runs
        result = car_view.run(drem.delete_all_models())
        assert result.returncode == 0, result.stderr
        assert list((state / "artifacts").iterdir()) == []
        # the stack's own process logs are not in logs/: DREM's rm -rf logs/* leaves them
        assert (state / "stack-logs" / "core.log").stat().st_size > 0

        # §2.5 modern upload (presigned GET), then §2.6 legacy upload: ready models without any console step
        s3.objects["/models/fast.tar.gz"] = optimized_archive()
        folder, commands = drem.upload_model(s3.url("models/fast.tar.gz"), RACER, MODEL_KEY)
        assert folder == FOLDER
        result = car_view.run(commands)
        assert result.returncode == 0, result.stderr
        model_dir = state / "artifacts" / FOLDER
        assert (model_dir / "checksum.txt").read_text() == hashlib.md5((model_dir / "model.pb").read_bytes()).hexdigest() + "\n"
        legacy, commands = drem.upload_model(s3.url("models/fast.tar.gz"), "default", "legacy/Slow.tar.gz", legacy=True)
        result = car_view.run(commands)
        assert result.returncode == 0 and legacy == "default-Slow", result.stderr
        rows = {row["name"]: row for row in client.get("/api/uploaded_model_list").json()}
        assert rows[FOLDER]["status"] == "Ready" and rows["default-Slow"]["status"] == "Ready", rows

        # §2.2 the racer's tail light (timekeeper, leaving car select): applied at once and kept
        result = car_view.run(drem.set_taillight("#FF8200"))
        assert result.returncode == 0, result.stderr + result.stdout
        assert "response:" in result.stdout
        pwm = drem.hex_to_pwm("#FF8200")
        want = (pwm["red_pwm"], pwm["green_pwm"], pwm["blue_pwm"])
        assert sim_stack.car_settings().led == want
        saved = json.loads((state / "led_values.json").read_text())["Led Values"]   # kept across restarts
        assert (saved["red_pwm"], saved["green_pwm"], saved["blue_pwm"]) == want

        # the race: the racer's model loaded and driven; the recorder records it under the model's folder name
        ok(client.post("/api/drive_mode", json={"drive_mode": "auto"}))
        ok(client.put(f"/api/models/{FOLDER}/model"))
        wait_until(lambda: client.get("/api/isModelLoading").json().get("isModelLoading") == "loaded", 90,
                   "the uploaded model to load (its IR v10 files are rebuilt)")
        race_start = time.time() - 1.0
        later_than = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(race_start)) + ".000Z"
        ok(client.post("/api/max_nav_throttle", json={"throttle": 30}))
        ok(client.post("/api/start_stop", json={"start_stop": "start"}))

        def recorded() -> dict | None:
            status = recorder_status(state)
            counts = status.get("counts", {})
            return status if (status.get("bag", "").startswith(FOLDER + "-") and counts.get(RESULTS, 0) >= 20
                              and counts.get(STATUS, 0) >= 1) else None

        status = wait_until(recorded, 60, "20 inference results and a device status in the race's bag")
        bag_name = status["bag"]
        assert bagcheck.split_ok(bag_name) and status["output_path"] == str(state / "logs")

        # race end (timekeeper): white tail light, then emergency stop
        assert car_view.run(drem.set_taillight("#FFFFFF")).returncode == 0
        result = car_view.run(drem.emergency_stop())
        assert result.returncode == 0 and "error=0" in result.stdout, result.stderr + result.stdout
        wait_until(lambda: abs(client.get("/api/sim/status").json()["speed"]) < 0.02, 10, "the car to stop")
        assert sim_stack.car_settings().led == (drem.MAX_PWM,) * 3

        # §2.7 fetch the racer's logs: stop_logging, param get, find -newermt, tar, gzip, PUT
        result = car_view.run(drem.fetch_logs("simcar_20260530-123456", later_than, re.sub("[^0-9a-zA-Z-]+", "", RACER),
                                              s3.url("upload/simcar_20260530-123456.tar.gz")))
        assert result.returncode == 0, result.stderr + result.stdout
        assert f"Using folder {state / 'logs'}" in result.stdout and "Using default path" not in result.stdout
        assert "success=True" in result.stdout
        fetched = s3.uploads["/upload/simcar_20260530-123456.tar.gz"]
        check_fetched_bag(fetched, bag_name, race_start, state)

        # the Devices page fetch (no racer, 1970): every bag, the race's included
        result = car_view.run(drem.fetch_logs("simcar_all", "1970-01-01T00:00:00Z", "", s3.url("upload/all.tar.gz")))
        assert result.returncode == 0, result.stderr
        with tarfile.open(fileobj=io.BytesIO(s3.uploads["/upload/all.tar.gz"])) as tar:
            assert f"./{bag_name}/metadata.yaml" in tar.getnames()

        # §2.4 restart and §2.1 "clean car" (with system logs) while the model is loaded: only systemctl is
        # recorded (the shared simulated car is not a systemd unit); the deletions are real
        assert car_view.run(drem.restart_service()).returncode == 0
        (car_view.root / "root" / ".ros" / "log").mkdir(parents=True, exist_ok=True)   # ros2 logged there (HOME=/root)
        (car_view.root / "root" / ".ros" / "log" / "old.log").write_text("x")
        result = car_view.run(drem.delete_all_models(with_system_logs=True))
        assert result.returncode == 0, result.stderr
        assert car_view.systemctl_log.read_text().splitlines() == [
            "restart deepracer-core", "stop deepracer-core", "start deepracer-core"]
        assert list((car_view.root / "root" / ".ros" / "log").iterdir()) == []
        assert not (state / "artifacts" / FOLDER).exists() and not (state / "logs" / bag_name).exists()
        # nothing crashed: the same processes, the console answers, ctrl takes commands
        assert sim_stack.process_pids() == pids
        assert client.get("/api/uploaded_model_list").status_code == 200
        assert car_view.run(drem.emergency_stop()).returncode == 0
        assert socket.gethostname() == hostname
    finally:
        client.close()


CAMERA = WorldConfig()  # the simulated car's camera (640x480 JPEG)


def decoded_shape(image) -> tuple[int, ...]:
    """The recorded camera image decoded (JPEG of the community layout, or raw pixels)."""
    import cv2
    import numpy as np

    if hasattr(image, "format"):
        pixels = cv2.imdecode(np.frombuffer(bytes(image.data), np.uint8), cv2.IMREAD_UNCHANGED)
        assert pixels is not None, f"not a decodable {image.format} image"
        return tuple(pixels.shape)
    assert len(image.data) == image.step * image.height
    return (image.height, image.width)


def check_fetched_bag(fetched: bytes, bag_name: str, race_start: float, state: Path) -> None:
    extract = state.parent / "fetched"
    with tarfile.open(fileobj=io.BytesIO(fetched), mode="r:gz") as tar:
        names = tar.getnames()
        assert names and all(n.startswith(f"./{bag_name}") for n in names), names
        tar.extractall(extract, **EXTRACT_FILTER)
    folder = extract / bag_name
    info = bagcheck.metadata(folder)
    assert info["storage_identifier"] == "mcap"
    stored = bagcheck.read_bag(folder)
    counts = {t["topic_metadata"]["name"]: t["message_count"] for t in info["topics_with_message_count"]}
    assert counts[RESULTS] == sum(s.topic == RESULTS for s in stored) >= 20
    assert counts[STATUS] == sum(s.topic == STATUS for s in stored) >= 1
    assert info["message_count"] == len(stored)
    with tarfile.open(SAMPLE_ARCHIVE) as src:
        member = src.extractfile("model_metadata.json")
        assert member is not None
        actions = len(json.load(member)["action_space"])
    previous = 0.0
    for item in stored:
        if item.topic == STATUS:
            assert item.type_name == "deepracer_interfaces_pkg/msg/DeviceStatusMsg"
            assert 0.0 <= item.decoded.cpu_percent <= 100.0
            continue
        msg = item.decoded
        assert item.type_name == "deepracer_interfaces_pkg/msg/InferResultsArray"
        assert len(msg.images) >= 1
        stamp = msg.images[0].header.stamp.sec + msg.images[0].header.stamp.nanosec / 1e9
        assert race_start - 60 < stamp <= item.log_time / 1e9 and stamp > previous   # real, increasing capture times
        previous = stamp
        assert [r.class_label for r in msg.results] == list(range(actions))   # one per action of the model
        # the camera's frame as it came (community dialect: no resize on the car), the simulator's size
        assert decoded_shape(msg.images[0])[:2] == (CAMERA.height, CAMERA.width)
        assert abs(sum(r.class_prob for r in msg.results) - 1.0) < 1e-3      # a discrete policy's probabilities
        assert min(r.class_prob for r in msg.results) >= 0.0
    bagcheck.check_definition("deepracer_interfaces_pkg/msg/InferResultsArray",
                              next(s.definition for s in stored if s.topic == RESULTS))
    bagcheck.check_definition("deepracer_interfaces_pkg/msg/DeviceStatusMsg",
                              next(s.definition for s in stored if s.topic == STATUS))
    for topic in info["topics_with_message_count"]:
        meta = topic["topic_metadata"]
        assert meta["type_description_hash"] == bagcheck.installed_hash(meta["type"])
