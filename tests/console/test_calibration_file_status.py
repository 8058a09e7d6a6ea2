"""`GET /api/calibration_file_status`: the Calibration page's banner for a corrupt calibration.json."""

from __future__ import annotations

from calibration.files import DEFAULT_CALIBRATION, save_calibration
from tests.console.conftest import ConsoleClient


def test_status_of_a_good_missing_and_corrupt_file(client: ConsoleClient, settings) -> None:
    path = settings.state_dir / "calibration.json"
    assert client.get("/api/calibration_file_status").json() == {"success": True, "file_ok": True}  # missing
    save_calibration(DEFAULT_CALIBRATION, path)
    assert client.get("/api/calibration_file_status").json() == {"success": True, "file_ok": True}
    path.write_bytes(b"\xff\xfe garbage")
    body = client.get("/api/calibration_file_status").json()
    assert body["success"] is True and body["file_ok"] is False
    assert body["message"] == "calibration file was unreadable, defaults in use; recalibrate"
    assert "not valid JSON" in body["reason"]
    assert path.read_bytes() == b"\xff\xfe garbage"  # looking changes nothing


def test_status_needs_a_login(anon: ConsoleClient) -> None:
    assert anon.get("/api/calibration_file_status").status_code == 401
