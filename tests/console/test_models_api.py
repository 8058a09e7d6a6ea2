"""Models: list, load request, loading status, upload (streamed, 200 MB limit), delete, installed check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from device_console.main import create_app
from tests.console.conftest import ConsoleClient, make_settings
from tests.console.fake_car import FakeCar
from tests.console.models_helper import archive_bytes, install_model, metadata_for
from vehicle.status import SensorStatus


def upload(client: ConsoleClient, filename: str, data: bytes, method: str = "PUT"):
    return client.send(method, "/api/uploadModels", files={"file": (filename, data, "application/gzip")})


def test_upload_installs_the_model(client: ConsoleClient, settings) -> None:
    response = upload(client, "My Model v2.tar.gz", archive_bytes())
    assert response.json() == {"success": True, "message": "Model uploaded successfully to your vehicle"}
    folder = settings.artifacts_dir / "My_Model_v2"
    assert (folder / "model.pb").is_file()
    assert json.loads((folder / "model_metadata.json").read_text())["sensor"] == ["FRONT_FACING_CAMERA"]
    assert (folder / "checksum.txt").read_text().strip()
    assert client.get("/api/is_model_installed", params={"filename": "My Model v2"}).json() == {
        "success": True, "message": "Model is installed"}
    assert client.get("/api/is_model_installed", params={"filename": "Other"}).json() == {
        "success": False, "message": "Model is not installed"}
    # nothing is left behind in the upload folder
    assert [p for p in settings.upload_tmp_dir.iterdir()] == []


def test_upload_with_post_too(client: ConsoleClient, settings) -> None:
    assert upload(client, "second.tar.gz", archive_bytes(), method="POST").json()["success"] is True
    assert (settings.artifacts_dir / "second" / "model.pb").is_file()


def test_upload_rejects_other_files(client: ConsoleClient, settings) -> None:
    response = upload(client, "model.zip", b"PK\x03\x04")
    assert response.json() == {"success": False, "message": "Failed to upload the model. Not a .tar.gz file",
                               "reason": "Failed to upload the model. Not a .tar.gz file"}
    assert not settings.artifacts_dir.exists() or list(settings.artifacts_dir.iterdir()) == []


def test_upload_shows_the_library_validation_error(client: ConsoleClient, settings) -> None:
    bad = metadata_for(training_algorithm="dqn")
    response = upload(client, "bad.tar.gz", archive_bytes(metadata=bad)).json()
    assert response["success"] is False
    assert "training_algorithm" in response["reason"]
    assert response["message"].startswith("Failed to upload the model: ")
    broken = upload(client, "broken.tar.gz", b"\x1f\x8b not really gzip").json()
    assert broken["success"] is False and broken["reason"]
    assert not (settings.artifacts_dir / "bad").exists()
    assert not (settings.artifacts_dir / "broken").exists()


def multipart_chunks(filename: str, payload_size: int, chunk: int = 64 * 1024):
    """A multipart body sent chunked (no Content-Length), as a streaming client would."""
    yield (b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename.encode()
           + b"\"\r\nContent-Type: application/gzip\r\n\r\n")
    sent = 0
    while sent < payload_size:
        step = min(chunk, payload_size - sent)
        yield b"\0" * step
        sent += step
    yield b"\r\n--XyZ--\r\n"


def test_upload_limit(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, max_upload_bytes=256 * 1024)
    with TestClient(create_app(settings, FakeCar())) as http:
        client = ConsoleClient(http)
        client.login()
        # announced too big: refused before reading
        response = upload(client, "huge.tar.gz", b"\0" * (512 * 1024))
        assert response.status_code == 413
        assert "limit" in response.json()["message"]
        # streamed without a length: refused once the limit is crossed, the partial file removed
        streamed = client.send("PUT", "/api/uploadModels", content=multipart_chunks("huge.tar.gz", 1024 * 1024),
                               headers={"Content-Type": "multipart/form-data; boundary=XyZ"})
        assert streamed.status_code == 413
        assert streamed.json()["success"] is False
        assert list(settings.upload_tmp_dir.iterdir()) == []
        assert not (settings.artifacts_dir / "huge").exists()
        # a body within the limit streamed the same way reaches the model library
        small = client.send("PUT", "/api/uploadModels", content=multipart_chunks("small.tar.gz", 100 * 1024),
                            headers={"Content-Type": "multipart/form-data; boundary=XyZ"})
        assert small.status_code == 200
        assert small.json()["success"] is False  # zeros are no archive: the library says why
        assert small.json()["reason"]
        assert list(settings.upload_tmp_dir.iterdir()) == []


def test_upload_without_a_file_field(client: ConsoleClient) -> None:
    response = client.send("PUT", "/api/uploadModels", files={"other": ("a.tar.gz", b"x")})
    assert response.status_code == 400
    assert response.json()["success"] is False
    response = client.put("/api/uploadModels", {"file": "x"})
    assert response.status_code == 400


def test_models_list_and_sensor_status(client: ConsoleClient, car: FakeCar, settings) -> None:
    install_model(settings.artifacts_dir, "camera_model")
    install_model(settings.artifacts_dir, "lidar_model", ("FRONT_FACING_CAMERA", "LIDAR"))
    (settings.artifacts_dir / "broken").mkdir()
    (settings.artifacts_dir / "broken" / "model.pb").write_bytes(b"x")
    body = client.get("/api/models").json()
    assert body["sensor_status"] == {"camera_status": "connected", "stereo_status": "not_connected",
                                     "lidar_status": "not_connected"}
    assert [m["model_folder_name"] for m in body["models"]] == ["camera_model", "lidar_model"]
    first, second = body["models"]
    assert first == {"model_name": "model", "model_folder_name": "camera_model",
                     "model_training_algorithm": "Clipped PPO", "model_action_space_type": "Discrete",
                     "model_sensors": ["Front-facing camera"], "is_select_disabled": False}
    assert second["is_select_disabled"] is True
    assert second["model_sensors"] == ["Front-facing camera", "LiDAR"]
    car.sensors = SensorStatus(lidar=0, single_camera=0, stereo_camera=1)
    assert all(not m["is_select_disabled"] for m in client.get("/api/models").json()["models"])


def test_uploaded_model_list(client: ConsoleClient, settings) -> None:
    install_model(settings.artifacts_dir, "camera_model")
    rows = client.get("/api/uploaded_model_list").json()
    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == "camera_model"
    assert row["status"] == "Ready"
    assert row["training_algorithm"] == "Clipped PPO"
    assert row["action_space_type"] == "Discrete"
    assert row["sensors"] == "Front-facing camera"
    assert row["size"].endswith("M") or row["size"].endswith("K")
    assert isinstance(row["creation_time"], float)


def test_load_model_sends_the_original_request(client: ConsoleClient, car: FakeCar, settings) -> None:
    install_model(settings.artifacts_dir, "camera_model")
    assert client.get("/api/isModelLoading").json() == {"success": True, "isModelLoading": "error"}
    assert client.put("/api/models/camera_model/model").json() == {"success": True}
    (request,) = car.model_requests
    assert request.model_name == "camera_model/model"
    assert request.model_metadata_sensors == (5,)
    assert (request.training_algorithm, request.action_space_type) == (1, 1)
    assert (request.img_format, request.width, request.height, request.num_channels) == ("RGB", 160, 120, 1)
    assert (request.platform, request.task_type, request.pre_process_type, request.lidar_channels) == (1, 0, 1, 0)
    assert car.lidar_config is not None and car.lidar_config.use_lidar is False
    assert client.get("/api/isModelLoading").json() == {"success": True, "isModelLoading": "loading"}


def test_load_lidar_model_configures_the_lidar(client: ConsoleClient, car: FakeCar, settings) -> None:
    install_model(settings.artifacts_dir, "lidar_model", ("FRONT_FACING_CAMERA", "SECTOR_LIDAR"))
    assert client.post("/api/models/lidar_model/model").json() == {
        "success": False, "reason": "Check the connections for the LiDAR sensor(s)"}
    assert car.model_requests == []
    car.sensors = SensorStatus(lidar=0, single_camera=0, stereo_camera=1)
    assert client.post("/api/models/lidar_model/model").json() == {"success": True}
    assert car.lidar_config.use_lidar is True
    assert car.lidar_config.config.preprocess_type == 1
    assert car.model_requests[0].model_metadata_sensors == (5, 3)


@pytest.mark.parametrize(("failing", "reason"), [
    ("sensor_status", "Error getting sensor status"),
    ("configure_lidar", "Setting lidar configuration failed!"),
])
def test_load_model_failures(client: ConsoleClient, car: FakeCar, settings, failing, reason) -> None:
    install_model(settings.artifacts_dir, "camera_model")
    car.unavailable.add(failing)
    assert client.put("/api/models/camera_model/model").json() == {"success": False, "reason": reason}
    assert car.model_requests == []


def test_model_state_failures(client: ConsoleClient, car: FakeCar, settings) -> None:
    install_model(settings.artifacts_dir, "camera_model")
    car.unavailable.add("model_state")
    assert client.put("/api/models/camera_model/model").json() == {
        "success": False, "reason": "Unable to reach model state server"}
    car.unavailable.clear()
    car.refusing.add("model_state")
    assert client.put("/api/models/camera_model/model").json() == {
        "success": False, "reason": "Model load failed! Please check the ROS logs"}


def test_load_unknown_or_broken_models(client: ConsoleClient, car: FakeCar, settings) -> None:
    assert client.put("/api/models/nothing/model").json()["success"] is False
    assert client.put("/api/models/..%2F..%2Fetc/model").json()["success"] is False
    install_model(settings.artifacts_dir, "camera_model")
    assert client.put("/api/models/camera_model/other").json()["success"] is False
    (settings.artifacts_dir / "camera_model" / "model_metadata.json").write_text("{")
    answer = client.put("/api/models/camera_model/model").json()
    assert answer["success"] is False and "JSON" in answer["reason"]
    assert car.model_requests == []


def test_delete_models(client: ConsoleClient, settings) -> None:
    install_model(settings.artifacts_dir, "one")
    install_model(settings.artifacts_dir, "two")
    assert client.post("/api/deleteModels", {"filenames": ["one"]}).json() == {
        "success": True, "message": "Models deleted successfully from your vehicle"}
    assert not (settings.artifacts_dir / "one").exists()
    answer = client.put("/api/deleteModels", {"filenames": ["missing", "two"]}).json()
    assert answer["success"] is False
    assert answer["message"] == "Failed to delete the selected models"
    assert not (settings.artifacts_dir / "two").exists()
    for body in ({}, {"filenames": "two"}, {"filenames": []}, {"filenames": [1]}):
        assert client.post("/api/deleteModels", body).json()["success"] is False
    assert client.post("/api/deleteModels", {"filenames": ["../state"]}).json()["success"] is False
    assert settings.state_dir.is_dir()
