"""Device information and status routes, discovery, and what happens when the vehicle cannot answer."""

from __future__ import annotations

from tests.console.conftest import ConsoleClient
from tests.console.fake_car import FakeCar
from vehicle.status import SensorStatus


def test_device_info(client: ConsoleClient) -> None:
    body = client.get("/api/get_device_info").json()
    assert body["hardware_version"] == "R2.1"
    assert body["software_version"] == "2.0.0"
    assert body["success"] is True
    assert {key: body[key] for key in ("cpu_model", "os_version", "disk_amount", "ram_amount", "ros_distro")} == {
        "cpu_model": "Intel Atom E3930 @ 1.30GHz", "os_version": "Ubuntu 20.04.6 LTS", "disk_amount": "29GB",
        "ram_amount": "3842", "ros_distro": "foxy"}   # what the car's device_info_node answered


def test_battery_level(client: ConsoleClient, car: FakeCar) -> None:
    assert client.get("/api/get_battery_level").json() == {"battery_level": 9, "success": True}
    car.battery = -1
    assert client.get("/api/get_battery_level").json() == {"battery_level": -1, "success": True}


def test_sensor_status(client: ConsoleClient, car: FakeCar) -> None:
    assert client.get("/api/get_sensor_status").json() == {
        "camera_status": "connected", "stereo_status": "not_connected", "lidar_status": "not_connected",
        "success": True}
    car.sensors = SensorStatus(lidar=0, single_camera=1, stereo_camera=0)
    assert client.get("/api/get_sensor_status").json() == {
        "camera_status": "not_connected", "stereo_status": "connected", "lidar_status": "connected",
        "success": True}
    car.unavailable.add("sensor_status")
    body = client.get("/api/get_sensor_status").json()
    assert body["success"] is False
    assert (body["camera_status"], body["stereo_status"], body["lidar_status"]) == ("error", "error", "error")


def test_device_status(client: ConsoleClient) -> None:
    body = client.get("/api/get_device_status").json()
    assert body == {"cpu_percent": 12.5, "cpu_temp": 48.0, "cpu_freq": 0.0, "cpu_freq_max": 0.0,
                    "memory_usage": 40.0, "free_disk": 0.0, "latency_mean": 0.0, "latency_p95": 0.0,
                    "fps_mean": 15.0, "success": True}


def test_server_ready_and_supported_apis(client: ConsoleClient) -> None:
    assert client.get("/api/server_ready").json() == {"success": True, "status": True}
    body = client.get("/api/supported_apis").json()
    assert body["success"] is True
    for api in ("/api/emergency_stop", "/api/get_device_status", "/api/get_time", "/api/set_timezone",
                "/api/manual_drive", "/api/uploadModels", "/api/sim/status"):
        assert api in body["apis_supported"]
    assert "/login" not in body["apis_supported"]


def test_unreachable_services_answer_success_false_quickly(client: ConsoleClient, car: FakeCar) -> None:
    for name, path in (("battery_level", "/api/get_battery_level"), ("device_info", "/api/get_device_info"),
                       ("device_status", "/api/get_device_status"), ("ctrl_modes", "/api/control_modes_available"),
                       ("model_loading_status", "/api/isModelLoading"), ("get_led", "/api/get_led_color")):
        car.unavailable.add(name)
        response = client.get(path)
        assert response.status_code == 200
        assert response.json() == {"success": False, "reason": f"{name}: service not available"}


def test_openapi_description_is_behind_the_login(client: ConsoleClient, anon) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/manual_drive" in spec["paths"]
