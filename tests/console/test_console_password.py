"""POST /api/password: change the console password (original reasons), other sessions end."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient

from tests.console.conftest import ConsoleClient


def test_change_password(client: ConsoleClient, settings, app) -> None:
    with TestClient(app) as other_http:
        other = ConsoleClient(other_http)
        other.login()
        assert other.get("/api/server_ready").status_code == 200
        response = client.post("/api/password", {"old_password": "deepracer", "new_password": "Fast Car 1"})
        assert response.json() == {"success": True}
        assert settings.password_file.read_text() == hashlib.sha224(b"Fast Car 1").hexdigest()
        assert client.get("/api/server_ready").status_code == 200  # this browser stays logged in
        assert other.get("/api/server_ready").status_code == 401  # the others are logged out
        other.fetch_csrf()
        assert other.login("deepracer").text == "failure"
        assert other.login("Fast Car 1").json() == {"redirect": "/home"}


def test_wrong_old_password(client: ConsoleClient, settings) -> None:
    before = settings.password_file.read_text()
    response = client.post("/api/password", {"old_password": "nope", "new_password": "x"})
    assert response.json() == {"success": False,
                               "reason": "The password is incorrect. Provide your current password."}
    assert settings.password_file.read_text() == before


def test_missing_password_file(client: ConsoleClient, settings) -> None:
    settings.password_file.unlink()
    response = client.post("/api/password", {"old_password": "deepracer", "new_password": "x"})
    assert response.json() == {"success": False, "reason": "Password.txt not found."}


def test_bad_bodies(client: ConsoleClient, settings) -> None:
    before = settings.password_file.read_text()
    assert client.post("/api/password", {"old_password": "deepracer"}).json() == {
        "success": False, "reason": "new_password is required"}
    assert client.post("/api/password", {"old_password": "deepracer", "new_password": ""}).json()["success"] is False
    assert client.post("/api/password", {"old_password": "deepracer", "new_password": 5}).json() == {
        "success": False, "reason": "new_password must be a string"}
    bad = client.send("POST", "/api/password", content=b"{not json", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400
    assert bad.json()["success"] is False
    assert settings.password_file.read_text() == before
