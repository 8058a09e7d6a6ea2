"""Uploads (issue 12, "uploads, crashes and corrupt files"): the 200 MB limit counts every byte once,
and neither a failed upload nor a console killed mid-upload or mid-import leaves files behind."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from device_console.main import create_app
from device_console.model_store import ModelStore
from device_console.upload import clean_stale_uploads
from tests.console.conftest import make_settings
from tests.console.fake_car import FakeCar
from tests.console.live_server import LiveServer
from tests.console.models_helper import archive_bytes
from tests.console.test_console_process import free_port
from tests.support.ros import wait_until

MB = 1024 * 1024
BOUNDARY = "XyZ"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def multipart_stream(filename: str, size: int, block: bytes = b"\0" * MB,
                     pause: threading.Event | None = None) -> Iterator[bytes]:
    """A multipart body with a `size`-byte file, generated block by block (never held in memory) and
    sent chunked (no Content-Length, so only the byte counter can enforce the limit); with `pause`,
    the body ends after its first megabyte, once the event is set."""
    yield (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
           f"Content-Type: application/gzip\r\n\r\n").encode()
    sent = 0
    while sent < size:
        step = min(len(block), size - sent)
        yield block[:step]
        sent += step
        if pause is not None and sent >= MB:
            pause.wait(30)
            return
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def _set() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


def login(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, verify=False, timeout=60)
    token = CSRF_META.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
    assert client.post("/login", data={"password": "deepracer"},
                       headers={"X-CSRFToken": token}).json() == {"redirect": "/home"}
    home = CSRF_META.search(client.get("/home").text)  # a token of the logged-in session where there is one
    client.headers["X-CSRFToken"] = home.group(1) if home else token
    return client


def leftovers(settings) -> list[str]:
    found = [p.name for p in settings.upload_tmp_dir.glob(".upload-*")] if settings.upload_tmp_dir.exists() else []
    if settings.artifacts_dir.exists():
        found += [p.name for p in settings.artifacts_dir.glob(".import-*")]
    return found


def test_uploads_just_under_and_just_over_the_200_mb_limit(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    limit = settings.max_upload_bytes
    assert limit == 200 * MB
    with LiveServer(create_app(settings, FakeCar())) as server, closing(login(server.url)) as client:
        # the whole limit is accepted (counted twice, anything over ~103 MB was refused): the file
        # reaches the model library, which says what is wrong with 200 MB of zeros
        under = client.put("/api/uploadModels", content=multipart_stream("under.tar.gz", limit), headers=MULTIPART)
        assert under.status_code == 200, under.text
        assert under.json()["success"] is False
        assert "limit" not in under.json()["reason"]
        # one byte more is refused as too large
        over = client.put("/api/uploadModels", content=multipart_stream("over.tar.gz", limit + 1), headers=MULTIPART)
        assert over.status_code == 413, over.text
        assert over.json()["message"] == "The file is larger than the 200 MB limit"
    assert leftovers(settings) == []


def test_failed_uploads_leave_nothing_behind(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, max_upload_bytes=4 * MB)
    with LiveServer(create_app(settings, FakeCar())) as server, closing(login(server.url)) as client:
        # the file part is complete, then the body turns malformed
        body = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="m.tar.gz"\r\n\r\n'
                f"DATA\r\n--{BOUNDARY}\r\nbad\0header\r\n\r\n").encode()
        broken = client.put("/api/uploadModels", content=body, headers=MULTIPART)
        assert broken.status_code == 400 and "could not be read" in broken.json()["message"]
        assert leftovers(settings) == []
        # the library refuses the archive: neither the upload nor the import staging stays
        refused = client.put("/api/uploadModels", content=multipart_stream("zeros.tar.gz", MB), headers=MULTIPART)
        assert refused.status_code == 200 and refused.json()["success"] is False
        assert leftovers(settings) == []
        # the body ends in the middle of the file
        cut = client.put("/api/uploadModels", content=multipart_stream("cut.tar.gz", 3 * MB, pause=_set()),
                         headers=MULTIPART)
        assert cut.status_code == 400 and "ended before the file was complete" in cut.json()["message"]
        assert leftovers(settings) == []
        # the client goes away in the middle of the upload
        with socket.create_connection(("127.0.0.1", server.port)) as raw:
            cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            raw.sendall((f"PUT /api/uploadModels HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookies}\r\n"
                         f"X-CSRFToken: {client.headers['X-CSRFToken']}\r\n"
                         f"Content-Type: {MULTIPART['Content-Type']}\r\nContent-Length: {3 * MB}\r\n\r\n").encode())
            for part in multipart_stream("gone.tar.gz", 3 * MB, pause=_set()):
                raw.sendall(part)
            wait_until(lambda: any(p.stat().st_size > 0 for p in settings.upload_tmp_dir.glob(".upload-*")), 20,
                       "the upload being written")
        wait_until(lambda: leftovers(settings) == [], 10, "the partial upload to be removed")
        # and a good upload still works
        good = client.put("/api/uploadModels", files={"file": ("good.tar.gz", archive_bytes(), "application/gzip")})
        assert good.json()["success"] is True, good.text
    assert leftovers(settings) == []


def test_the_sweep_spares_an_upload_in_progress(tmp_path: Path) -> None:
    folder = tmp_path / "tmp"
    folder.mkdir()
    busy, stale = folder / ".upload-busy.part", folder / ".upload-stale.part"
    other = folder / "keep-me.part"
    for path in (busy, stale, other):
        path.write_bytes(b"x")
    with open(busy, "rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # as a writing upload holds it
        assert clean_stale_uploads(folder) == [stale]
        assert busy.exists() and other.exists() and not stale.exists()
    assert clean_stale_uploads(folder) == [busy]
    assert clean_stale_uploads(tmp_path / "missing") == []


STALLED_IMPORT = """
import sys
from pathlib import Path
import inference.models as models

real_collect = models._collect

def stalled(source, staging, *args):
    (staging / "partial").write_bytes(b"half a graph")
    print("importing", flush=True)
    sys.stdin.readline()  # until the test says go on (or kills this process)
    return real_collect(source, staging, *args)

models._collect = stalled
print(models.import_model(Path(sys.argv[1]), Path(sys.argv[2]), name=sys.argv[3]).name, flush=True)
"""


def stalled_import(archive: Path, artifacts: Path, name: str) -> subprocess.Popen[str]:
    """A process importing a model, held in the middle of the import (its staging folder written)."""
    proc = subprocess.Popen([sys.executable, "-c", STALLED_IMPORT, str(archive), str(artifacts), name],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert proc.stdout is not None and proc.stdout.readline().strip() == "importing"
    return proc


def test_model_store_start_removes_a_killed_import_and_spares_a_running_one(tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(archive_bytes())
    killed = stalled_import(archive, artifacts, "killed")
    killed.kill()
    killed.wait()
    running = stalled_import(archive, artifacts, "running")
    try:
        staged = sorted(p.name for p in artifacts.glob(".import-*"))
        assert len(staged) == 2  # the killed process left its staging folder behind
        ModelStore(artifacts)     # the console (re)starts
        assert [p.name for p in artifacts.glob(".import-*")] == [f for f in staged if f.startswith(
            f".import-{running.pid}-")]
        running.communicate("go\n", timeout=30)  # the running import was not disturbed
        assert running.returncode == 0
        assert (artifacts / "running" / "model.pb").is_file()
    finally:
        if running.poll() is None:
            running.kill()
            running.wait()
    assert list(artifacts.glob(".import-*")) == []
    assert not (artifacts / "killed").exists()


@pytest.mark.ros
def test_a_console_killed_mid_upload_cleans_up_when_it_starts_again(start_node, tmp_path: Path) -> None:
    state = tmp_path / "state"
    port = free_port()
    env = {"DEEPRACER_STATE_DIR": str(state), "DEEPRACER_HARDWARE": "sim",
           "DEEPRACER_SYSFS_ROOT": str(tmp_path / "sys")}
    args = ["--host", "127.0.0.1", "--port", str(port), "--https-port", "0"]
    upload_dir, artifacts = state / "tmp", state / "artifacts"

    def console_up(proc) -> bool:
        assert proc.proc.poll() is None, proc.log_text()
        return "Console password" in proc.log_text()

    first = start_node("webserver_pkg.webserver_publisher_node", args=args, env=env)
    wait_until(lambda: console_up(first), 60, "the console to start")
    pause = threading.Event()
    client = login(f"http://127.0.0.1:{port}")
    sender = threading.Thread(target=lambda: _swallow(lambda: client.put(
        "/api/uploadModels", content=multipart_stream("big.tar.gz", 3 * MB, pause=pause), headers=MULTIPART)))
    sender.start()
    try:
        wait_until(lambda: any(p.stat().st_size > 0 for p in upload_dir.glob(".upload-*.part")), 30,
                   "the upload being written")
        # ... and an import cut short by a kill, as the console's own would be
        archive = tmp_path / "model.tar.gz"
        archive.write_bytes(archive_bytes())
        importer = stalled_import(archive, artifacts, "cut")
        importer.kill()
        importer.wait()
        os.kill(first.proc.pid, signal.SIGKILL)
        first.proc.wait()
    finally:
        pause.set()
        sender.join(30)
        client.close()
    assert list(upload_dir.glob(".upload-*.part")) and list(artifacts.glob(".import-*"))  # the junk

    second = start_node("webserver_pkg.webserver_publisher_node", args=args, env=env)
    wait_until(lambda: console_up(second), 60, "the console to start again")
    assert list(upload_dir.glob(".upload-*")) == []
    assert list(artifacts.glob(".import-*")) == []
    assert "removed an unfinished upload" in second.log_text()


def _swallow(call) -> None:
    try:
        call()
    except httpx.HTTPError:
        pass  # the console was killed under the upload
