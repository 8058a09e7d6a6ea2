"""On the simulated car the console's Wi-Fi page talks to the simulated NetworkManager (nmcli on
the stack's PATH), never to the laptop's real Wi-Fi."""

from __future__ import annotations

import json

from tests.support.stack import SimStack


def test_network_pages_use_the_simulated_network_manager(sim_stack: SimStack) -> None:
    client = sim_stack.login()
    details = client.get("/api/get_network_details").json()
    assert details["success"] is True
    assert details["SSID"] == "DeepRacer-Track"
    ssids = {n["ssid"] for n in client.get("/api/available_wifi_info").json()}
    assert {"DeepRacer-Track", "Pit-Lane"} <= ssids

    calls_log = sim_stack.sim_dir / "network" / "nm-calls.jsonl"
    bad = client.post("/api/wifi_reset", json={"wifi_name": "Pit-Lane", "wifi_password": "wrong-password"}).json()
    assert bad["success"] is False
    good = client.post("/api/wifi_reset", json={"wifi_name": "Pit-Lane", "wifi_password": "pitlane123"}).json()
    try:
        assert good["success"] is True
        assert client.get("/api/get_network_details").json()["SSID"] == "Pit-Lane"
        calls = [json.loads(line) for line in calls_log.read_text().splitlines()]
        assert any(c[:4] == ["nmcli", "device", "wifi", "connect"] and "Pit-Lane" in c for c in calls)
        assert "pitlane123" not in sim_stack.log("console")  # passwords never logged
    finally:
        client.post("/api/wifi_reset", json={"wifi_name": "DeepRacer-Track", "wifi_password": "deepracer"})
