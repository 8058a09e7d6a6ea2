"""Software update from the console (ours): status of the last update, upload of a bundle that starts
the updater, and clear refusals (not a bundle, not newer) that change nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.console.conftest import ConsoleClient
from tests.updates.bundles import make_bundle


@pytest.fixture
def prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    prefix = tmp_path / "opt"
    (prefix / "releases" / "0.1.0").mkdir(parents=True)
    os.symlink("releases/0.1.0", prefix / "current")
    monkeypatch.setenv("DEEPRACER_PREFIX", str(prefix))
    return prefix


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, bool]]:
    from updates import updater

    calls: list[tuple[Path, bool]] = []
    monkeypatch.setattr(updater, "launch_update", lambda archive, force=False, prefix=None: calls.append((archive, force)))
    return calls


def _upload(client: ConsoleClient, path: Path, name: str | None = None, force: bool = False):
    query = "?force=true" if force else ""
    return client.send("POST", f"/api/software_update/upload{query}",
                       files={"file": (name or path.name, path.read_bytes(), "application/gzip")}).json()


def test_status_upload_and_refusals(client: ConsoleClient, prefix: Path, launched, tmp_path: Path) -> None:
    status = client.get("/api/software_update").json()
    assert status["success"] is True and status["running"] == "0.1.0" and status["releases"] == ["0.1.0"]
    assert status["status"]["state"] == "unknown"

    bundle = make_bundle(tmp_path / "b", "0.2.0")
    answer = _upload(client, bundle)
    assert answer["success"] is True and answer["version"] == "0.2.0", answer
    stored = prefix / "downloads" / "deepracer-0.2.0.tar.gz"
    assert launched == [(stored, False)] and stored.read_bytes() == bundle.read_bytes()

    old = make_bundle(tmp_path / "old", "0.0.5")
    answer = _upload(client, old)
    assert answer["success"] is False and "not newer than the running 0.1.0" in answer["reason"]
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"\x1f\x8b not really")
    assert "not a readable bundle" in _upload(client, junk)["reason"]
    assert "deepracer-<version>.tar.gz" in _upload(client, bundle, name="notes.txt")["reason"]
    assert len(launched) == 1  # none of the refused files started anything
    assert sorted(p.name for p in (prefix / "downloads").iterdir()) == ["deepracer-0.2.0.tar.gz"]
    assert _upload(client, old, force=True)["success"] is True and launched[-1][1] is True

    # the updater's outcome, as the page shows it
    (prefix / "update-status.json").write_text(json.dumps({
        "state": "unknown", "pct": 0, "version": "0.2.0", "previous": "0.1.0", "rolled_back": True,
        "error": "0.2.0 failed its health check (console: no answer); rolled back to 0.1.0", "pid": 1}))
    status = client.get("/api/software_update").json()["status"]
    assert status["rolled_back"] is True and "rolled back to 0.1.0" in status["error"] and "pid" not in status


def test_update_routes_need_a_session(anon: ConsoleClient, prefix: Path) -> None:
    assert anon.get("/api/software_update").status_code == 401
