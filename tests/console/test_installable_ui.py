"""Installable console UIs (issue 11 §4): a UI installed in `<state>/lib/device_console` is served at
`/`, `/home`, `/login` (token filled in) and `/static/`; the built-in one otherwise, and always at
`/builtin/`; switching needs no restart; broken bundles are refused and change nothing."""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from device_console.ui import bundle as ui_bundle
from device_console.ui.bundle import UiBundleError, install_ui, use_builtin
from tests.console.conftest import CSRF_META, ConsoleClient
from tests.support.third_party_ui import bundle_files, tar_gz, write_bundle, write_tree, zip_file

REPO = Path(__file__).resolve().parents[2]


def _page_kind(client: ConsoleClient, path: str) -> str:
    text = client.get(path).text
    if "Third-party console" in text:
        return re.search(r"Third-party console (\w+)", text).group(1)  # type: ignore[union-attr]
    assert 'src="static/js/' in text, text[:300]
    return "builtin"


def _token_of(text: str) -> str:
    match = CSRF_META.search(text)
    assert match, text[:300]
    return match.group(1)


def test_installed_ui_is_served_and_switching_needs_no_restart(client: ConsoleClient, settings,
                                                               tmp_path: Path) -> None:
    # the built-in UI first
    assert _page_kind(client, "/") == "builtin"
    assert client.get("/static/js/app.js").status_code == 200
    install_ui(write_bundle(tmp_path / "ui"), settings.state_dir)
    # the installed one at /, /home (logged in) and /login, with a valid CSRF token filled in
    for path in ("/", "/home", "/login"):
        response = client.get(path)
        assert "Third-party console tp" in response.text, path
        assert "{{" not in response.text
        assert response.headers["cache-control"] == "no-store"
        # our built-in pages' policies are not applied to another UI's page
        assert "content-security-policy" not in response.headers
        token = _token_of(response.text)
        assert client.http.post("/api/max_nav_throttle", json={"throttle": 10},
                                headers={"X-CSRF-Token": token}).status_code == 200
    # its static/ at /static/, ours at /builtin/static/ (and not at /static/ any more)
    assert "tpRequests" in client.get("/static/tp-app.js").text
    assert client.get("/static/manifest.json").json()["name"] == "Third-party console"
    assert client.get("/static/tp-app.js").headers["cache-control"] == "no-cache"
    assert client.get("/static/js/app.js").status_code == 404
    assert client.get("/builtin/static/js/app.js").status_code == 200
    # the built-in UI stays reachable at /builtin/ (assets relative to it: /builtin/static/...)
    for path in ("/builtin/", "/builtin/home", "/builtin/login"):
        assert _page_kind(client, path) == "builtin", path
    assert client.get("/builtin", follow_redirects=False).headers["location"].endswith("/builtin/")
    # the API says so
    status = client.get("/api/console_ui").json()
    assert status["success"] is True and status["active"] == "installed" and status["builtin_url"] == "/builtin/"
    assert status["installed"]["name"] == "ui"

    # switch back through the API (as the built-in Settings page does): no restart
    status = client.post("/api/console_ui", json={"ui": "builtin"}).json()
    assert status["active"] == "builtin" and status["inactive"]["name"] == "ui"
    assert _page_kind(client, "/") == "builtin" and _page_kind(client, "/login") == "builtin"
    assert client.get("/static/js/app.js").status_code == 200
    assert client.get("/static/tp-app.js").status_code == 404
    # and to the installed one again
    assert client.post("/api/console_ui", json={"ui": "installed"}).json()["active"] == "installed"
    assert _page_kind(client, "/home") == "tp"
    assert client.post("/api/console_ui", json={"ui": "other"}).json() == {
        "success": False, "reason": 'ui must be "builtin" or "installed"'}


def test_logged_out_pages_and_a_bundle_without_login_html(anon: ConsoleClient, settings, tmp_path: Path) -> None:
    install_ui(write_bundle(tmp_path / "ui", with_login=False, marker="spa"), settings.state_dir)
    for path in ("/", "/home", "/login", "/logout", "/redirect_login"):
        assert _page_kind(anon, path) == "spa", path  # index.html stands in for login.html
    assert _page_kind(anon, "/builtin/login") == "builtin"
    # the built-in login at /builtin/ logs in and stays there (?epwd=, as DREM uses it)
    response = anon.get("/builtin/?epwd=deepracer", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/builtin/home"
    response = anon.get("/?epwd=deepracer", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/home"


def test_archives_and_layouts(client: ConsoleClient, settings, tmp_path: Path) -> None:
    files = bundle_files(marker="targz")
    # a .tar.gz with the whole UI inside one top folder (as release archives are)
    result = install_ui(tar_gz(tmp_path / "console.tar.gz", files, prefix="console-2.2/"), settings.state_dir)
    assert result.files == 4 and not result.replaced and result.warnings == []
    assert _page_kind(client, "/") == "targz"
    # a flat build output (index.html + login.html at the top, static/ beside) as a .zip
    flat = {rel.removeprefix("templates/"): data for rel, data in bundle_files(marker="zipflat").items()}
    result = install_ui(zip_file(tmp_path / "dist.zip", flat), settings.state_dir)
    assert result.replaced
    assert _page_kind(client, "/login") == "zipflat"
    root = ui_bundle.ui_dir(settings.state_dir)
    assert sorted(p.name for p in (root / "templates").iterdir()) == ["index.html", "login.html"]
    assert stat.S_IMODE((root / "static" / "tp-app.js").stat().st_mode) == 0o644
    # no leftovers beside the live UI
    assert sorted(p.name for p in ui_bundle.lib_dir(settings.state_dir).iterdir()) == [
        ".console-ui.lock", "device_console"]


def _tar_with(path: Path, member: tarfile.TarInfo, data: bytes = b"") -> Path:
    files = bundle_files(marker="bad")
    with tarfile.open(path, "w:gz") as tar:
        for rel, content in files.items():
            info = tarfile.TarInfo(rel)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        tar.addfile(member, io.BytesIO(data) if data else None)
    return path


def _member(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"", link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = len(data)
    info.linkname = link
    return info


def _bad_bundles(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    files = bundle_files(marker="bad")
    no_index = {k: v for k, v in files.items() if k != "templates/index.html"}
    zip_traversal = tmp_path / "traversal.zip"
    with zipfile.ZipFile(zip_traversal, "w") as archive:
        for rel, data in files.items():
            archive.writestr(rel, data)
        archive.writestr("../../escape.js", b"x")
    zip_link = tmp_path / "link.zip"
    with zipfile.ZipFile(zip_link, "w") as archive:
        for rel, data in files.items():
            archive.writestr(rel, data)
        info = zipfile.ZipInfo("static/passwd")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    linked_dir = write_bundle(tmp_path / "linked-folder", marker="bad")
    os.symlink("/etc/passwd", linked_dir / "static" / "passwd")
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"\x1f\x8b\x08\x00 definitely not a gzip stream" * 10)
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(tar_gz(tmp_path / "whole.tar.gz", files).read_bytes()[:-200])
    # deflate's stored blocks decode any flipped byte without a zlib error: only gzip's CRC at the end catches it
    stored = tar_gz(tmp_path / "stored.tar.gz", files, compresslevel=0).read_bytes()
    at = stored.index(b"Third-party console")
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(stored[:at] + b"X" + stored[at + 1:])
    return {
        "damaged": (damaged, "CRC check failed"),
        "no index": (tar_gz(tmp_path / "noindex.tar.gz", no_index), "no index.html in the bundle"),
        "empty folder": (tmp_path / "empty", "no index.html in the bundle"),
        "not an archive": (garbage, "is not a folder, a .tar.gz/.tgz/.tar archive or a .zip archive"),
        "truncated": (truncated, "is not a readable archive"),
        "dot-dot": (_tar_with(tmp_path / "dotdot.tar.gz", _member("static/../../../evil.js", data=b"x"), b"x"),
                    "path traversal refused"),
        "absolute": (_tar_with(tmp_path / "abs.tar.gz", _member("/etc/cron.d/evil", data=b"x"), b"x"),
                     "path traversal refused"),
        "symlink": (_tar_with(tmp_path / "sym.tar.gz", _member("static/pw", tarfile.SYMTYPE, link="/etc/passwd")),
                    "links are not allowed"),
        "hard link": (_tar_with(tmp_path / "hard.tar.gz", _member("static/pw", tarfile.LNKTYPE, link="etc/passwd")),
                      "links are not allowed"),
        "device": (_tar_with(tmp_path / "dev.tar.gz", _member("static/null", tarfile.CHRTYPE)),
                   "not a regular file"),
        "fifo": (_tar_with(tmp_path / "fifo.tar.gz", _member("static/pipe", tarfile.FIFOTYPE)), "not a regular file"),
        "zip traversal": (zip_traversal, "path traversal refused"),
        "zip symlink": (zip_link, "links are not allowed"),
        "folder with a symlink": (linked_dir, "links are not allowed"),
        "missing": (tmp_path / "does-not-exist.tar.gz", "does not exist"),
    }


def test_broken_bundles_are_refused_and_the_current_ui_keeps_working(client: ConsoleClient, settings,
                                                                     tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    install_ui(write_bundle(tmp_path / "good", marker="good"), settings.state_dir)
    live = ui_bundle.ui_dir(settings.state_dir)
    before = {p.relative_to(live): p.read_bytes() for p in live.rglob("*") if p.is_file()}
    for label, (source, reason) in _bad_bundles(tmp_path).items():
        with pytest.raises(UiBundleError) as refused:
            install_ui(source, settings.state_dir)
        assert reason in str(refused.value), f"{label}: {refused.value}"
        after = {p.relative_to(live): p.read_bytes() for p in live.rglob("*") if p.is_file()}
        assert after == before, label
        assert _page_kind(client, "/") == "good", label
        assert client.get("/static/tp-app.js").status_code == 200
        assert not (tmp_path.parent / "escape.js").exists() and not Path("/etc/cron.d/evil").exists()
    assert sorted(p.name for p in ui_bundle.lib_dir(settings.state_dir).iterdir()) == [
        ".console-ui.lock", "device_console"]


def test_size_bounds(settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = bundle_files()
    files["static/big.bin"] = b"\0" * 300_000
    monkeypatch.setattr(ui_bundle, "MAX_BUNDLE_BYTES", 200_000)
    with pytest.raises(UiBundleError, match="larger than"):
        install_ui(tar_gz(tmp_path / "big.tar.gz", files), settings.state_dir)
    monkeypatch.setattr(ui_bundle, "MAX_BUNDLE_BYTES", 10_000_000)
    monkeypatch.setattr(ui_bundle, "MAX_FILES", 3)
    with pytest.raises(UiBundleError, match="more than 3 files"):
        install_ui(write_tree(tmp_path / "many", files), settings.state_dir)
    monkeypatch.setattr(ui_bundle, "MAX_FILES", 10_000)
    files = bundle_files()
    files["templates/index.html"] = b"<html>" + b"x" * (ui_bundle.MAX_TEMPLATE_BYTES + 1)
    with pytest.raises(UiBundleError, match="templates/index.html is larger than"):
        install_ui(write_tree(tmp_path / "huge-page", files), settings.state_dir)
    assert not ui_bundle.ui_dir(settings.state_dir).exists()


def test_use_builtin_when_nothing_is_installed(settings) -> None:
    assert use_builtin(settings.state_dir) is False
    with pytest.raises(UiBundleError, match="no installed console UI"):
        ui_bundle.reactivate(settings.state_dir)


def _cli(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.deepracer", "console-ui", *args], capture_output=True,
                          text=True, timeout=60, cwd=REPO, env=dict(os.environ, DEEPRACER_STATE_DIR=str(state)))


def test_command_line(tmp_path: Path) -> None:
    state = tmp_path / "state"
    bundle = tar_gz(tmp_path / "console.tar.gz", bundle_files(marker="cli"))
    done = _cli(state, "install", str(bundle))
    assert done.returncode == 0, done.stderr
    assert "Installed console UI console.tar.gz (4 files)" in done.stdout
    assert "/builtin/" in done.stdout
    assert "active: installed console UI console.tar.gz" in _cli(state, "status").stdout
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "README.txt").write_text("not a console")
    refused = _cli(state, "install", str(tmp_path / "notes"))  # a folder without index.html
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: no index.html in the bundle")
    assert "the current console UI is unchanged" in refused.stderr
    assert ui_bundle.active_ui(state) is not None and ui_bundle.active_ui(state).name == "console.tar.gz"  # type: ignore[union-attr]
    done = _cli(state, "builtin")
    assert done.returncode == 0 and "built-in console" in done.stdout
    assert ui_bundle.active_ui(state) is None
    assert "active: built-in console" in _cli(state, "status").stdout
    done = _cli(state, "enable")
    assert done.returncode == 0 and ui_bundle.active_ui(state) is not None
