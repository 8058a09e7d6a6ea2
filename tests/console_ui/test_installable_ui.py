"""A third-party console UI installed with `deepracer console-ui install` runs on our backend in
headless Chromium (issue 11 §4). It is a hash-router single-page app that reads `document.cookie` to
know it is logged in and sends `X-CSRF-Token` on every request: it logs in (multipart `POST
/login`), lists the models (the shipped sample among them) and drives the simulated car. A broken
bundle is refused and leaves it working; the built-in console at /builtin/ switches back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.console_ui.conftest import PASSWORD, REPO, Browser, Stack
from tests.support.ros import wait_until
from tests.support.third_party_ui import bundle_files, tar_gz

pytestmark = [pytest.mark.ros, pytest.mark.browser]


def console_ui(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.deepracer", "console-ui", *args], capture_output=True,
                          text=True, timeout=60, cwd=REPO,
                          env=dict(os.environ, DEEPRACER_STATE_DIR=str(stack.state_dir)))


def _sim_speed(stack: Stack) -> float:
    try:
        return float(json.loads((stack.sim_dir / "status.json").read_text())["speed"])
    except (OSError, ValueError, KeyError):
        return 0.0


@pytest.fixture
def installed(car: Stack, tmp_path: Path) -> Iterator[Stack]:
    archive = tar_gz(tmp_path / "tp-console.tar.gz", bundle_files(marker="e2e"), prefix="tp-console/")
    done = console_ui(car, "install", str(archive))
    assert done.returncode == 0, done.stderr
    try:
        yield car
    finally:  # the stack is shared: the built-in console at / again for the other tests
        console_ui(car, "builtin")


def test_third_party_ui_logs_in_lists_models_and_drives(installed: Stack, fresh_browser: Browser,
                                                         tmp_path: Path, shot) -> None:
    stack = installed
    page: Any = fresh_browser.new_page()
    page.goto(stack.base_url + "/", wait_until="domcontentloaded")
    # its own login page (its hash router went to #/login: no cookie yet)
    page.wait_for_selector("#tp-login-title")
    assert page.title() == "Third-party console e2e"
    assert page.url.endswith("/#/login")
    page.fill("#tp-password", PASSWORD)
    page.click("#tp-submit")
    page.wait_for_selector("#tp-home")
    # it saw the session cookie from JavaScript, and every request carried the CSRF header
    assert "deepracer_token=" in page.evaluate("document.cookie")
    page.wait_for_selector("#tp-models[data-loaded='1']")
    models = page.locator(".tp-model").all_inner_texts()
    assert "Sample_sim_loop_model" in models
    requests = page.evaluate("window.tpRequests")
    assert requests[0]["method"] == "POST" and requests[0]["path"] == "/login"
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token and all(r["csrf"] == token for r in requests)

    # drive the simulated car from it, then stop
    page.click("#tp-drive")
    page.wait_for_function("document.querySelector('#tp-state').textContent === 'driving'")
    wait_until(lambda: _sim_speed(stack) > 0.05, 10, "the simulated car to move")
    shot(page, "installed-ui-driving")
    page.click("#tp-stop")
    page.wait_for_function("document.querySelector('#tp-state').textContent === 'stopped'")
    wait_until(lambda: abs(_sim_speed(stack)) < 0.02, 5, "the simulated car to stop")

    # a broken bundle is refused and the installed UI keeps working
    broken = tar_gz(tmp_path / "broken.tar.gz", {"static/app.js": b"no index.html here"})
    refused = console_ui(stack, "install", str(broken))
    assert refused.returncode == 1 and "no index.html" in refused.stderr
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("#tp-models[data-loaded='1']")
    assert "Sample_sim_loop_model" in page.locator(".tp-model").all_inner_texts()

    # the built-in console is still at /builtin/: its Settings page shows the installed UI and
    # switches back, with no restart
    builtin: Any = fresh_browser.new_page()
    builtin.goto(stack.base_url + "/builtin/home#/settings", wait_until="domcontentloaded")
    builtin.wait_for_selector("#ui-active[data-state=installed]")
    assert "tp-console.tar.gz" in builtin.locator("#ui-installed").inner_text()
    builtin.click("#ui-use-builtin")
    builtin.wait_for_selector("#ui-active[data-state=builtin]")
    assert builtin.locator("#ui-use-installed").is_visible()
    page.goto(stack.base_url + "/home", wait_until="domcontentloaded")
    page.wait_for_selector("#content .page")  # the built-in console at / again
    assert page.locator("#tp-root").count() == 0
    shot(builtin, "settings-console-ui")
    assert fresh_browser.errors == []
