"""Every `/api` answer field that the original gives as a string stays a string (official_stack.md §6,
community.md §2): UIs split `ip_address` on ",", show `size` as is, compare `isModelLoading`..., so a
list, a number or null there breaks them. Checked with the awkward values too: no address at all,
two addresses, an SSID made of digits, a model folder named with digits, empty versions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.console.conftest import ConsoleClient
from tests.console.fake_car import FakeCar
from tests.console.models_helper import install_model
from tests.usb.fake_nm import FakeNetworkManager
from vehicle.status import DeviceInfo

# route -> fields of the answer that are strings on the original
STRING_FIELDS: dict[str, tuple[str, ...]] = {
    "/api/get_network_details": ("SSID", "ip_address"),
    "/api/get_device_info": ("hardware_version", "software_version", "cpu_model", "os_version", "disk_amount",
                             "ram_amount", "ros_distro"),
    "/api/isModelLoading": ("isModelLoading",),
    "/api/get_sensor_status": ("camera_status", "stereo_status", "lidar_status"),
    "/api/logs/CORE/10": ("data",),
    "/api/get_time": ("time", "timezone", "timezone_abbr", "utc_offset"),
    "/api/isSshEnabled": ("reason",),
    "/api/enableSsh": ("reason",),
    "/api/disableSsh": ("reason",),
    "/api/isSshDefaultPasswordChanged": ("reason",),
    "/api/is_model_installed?filename=2024": ("message",),
    "/api/is_model_installed?filename=none": ("message",),
}
ROW_STRING_FIELDS: dict[str, tuple[str, ...]] = {
    "/api/uploaded_model_list": ("name", "size", "status", "training_algorithm", "action_space_type", "sensors"),
    "/api/available_wifi_info": ("ssid", "security_info"),
}


@pytest.fixture
def fake_nm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNetworkManager]:
    nm = FakeNetworkManager(tmp_path / "fake-nm")
    for key, value in nm.env().items():
        monkeypatch.setenv(key, value)
    yield nm


def assert_strings(answer: dict[str, Any], fields: tuple[str, ...], where: str) -> None:
    for field in fields:
        assert field in answer, f"{where}: no {field}"
        assert isinstance(answer[field], str), f"{where}: {field} is {answer[field]!r}, not a string"


def check_all(client: ConsoleClient) -> None:
    for path, fields in STRING_FIELDS.items():
        assert_strings(client.get(path).json(), fields, path)
    for path, fields in ROW_STRING_FIELDS.items():
        rows = client.get(path).json()
        assert isinstance(rows, list) and rows, path
        for row in rows:
            assert_strings(row, fields, path)
    models = client.get("/api/models").json()
    assert models["models"]
    for row in models["models"]:
        assert_strings(row, ("model_name", "model_folder_name", "model_training_algorithm",
                             "model_action_space_type"), "/api/models")
        assert all(isinstance(s, str) for s in row["model_sensors"])
    assert_strings(models["sensor_status"], ("camera_status", "stereo_status", "lidar_status"), "/api/models")
    modes = client.get("/api/control_modes_available").json()["control_modes_available"]
    assert modes and all(isinstance(m, str) for m in modes)


def test_string_fields_stay_strings(client: ConsoleClient, car: FakeCar, fake_nm: FakeNetworkManager,
                                    settings) -> None:
    install_model(settings.artifacts_dir, "2024")
    settings.process_logs_dir.mkdir(parents=True, exist_ok=True)
    (settings.process_logs_dir / "core.log").write_text("12\n34\n")
    # not connected anywhere: still a string (empty)
    details = client.get("/api/get_network_details").json()
    assert details["ip_address"] == "" and details["SSID"] == ""
    check_all(client)
    assert client.get("/api/logs/CORE/10").json()["data"] == "12\n34"

    # connected, SSID of digits, two addresses: comma+space joined, as `hostname -I` minus the USB ones
    fake_nm.state["networks"].append({"ssid": "2024", "password": "", "signal": 70, "security": ""})
    fake_nm.state["connected"] = "2024"
    fake_nm.state["devices"][0][2] = "connected"
    fake_nm.state["addresses"]["eth0"] = "192.168.7.9"
    fake_nm.state["addresses"]["wlan0"] = "192.168.1.23"
    fake_nm.save()
    car.loading_status = "loaded"
    check_all(client)
    details = client.get("/api/get_network_details").json()
    assert details["SSID"] == "2024"
    assert sorted(details["ip_address"].split(", ")) == ["192.168.1.23", "192.168.7.9"]
    names = [row["name"] for row in client.get("/api/uploaded_model_list").json()]
    assert names == ["2024"]

    # wifi_reset answers the addresses the same way
    answer = client.post("/api/wifi_reset", {"wifi_name": "Your-WiFi 100", "wifi_password": "Passwd1234"}).json()
    assert answer["success"] is True and isinstance(answer["ip_address"], str)
    assert "192.168.1.23" in answer["ip_address"].split(", ")


def test_device_info_placeholders_are_strings(client: ConsoleClient, car: FakeCar,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    async def empty() -> DeviceInfo:
        return DeviceInfo(**{name: "" for name in DeviceInfo().fields()})

    monkeypatch.setattr(car, "device_info", empty)
    info = client.get("/api/get_device_info").json()
    assert info["hardware_version"] == "--" and info["software_version"] == "--" and info["cpu_model"] == "--"
    assert_strings(info, STRING_FIELDS["/api/get_device_info"], "/api/get_device_info")
