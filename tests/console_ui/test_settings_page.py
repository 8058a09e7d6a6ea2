"""Settings in Chromium: SSH on/off, the About facts from the car, and the console password form's
validation (the change itself is covered by the API tests: it logs out every other browser)."""

from __future__ import annotations

import pytest

from tests.console_ui.conftest import Stack, api_call

pytestmark = [pytest.mark.ros, pytest.mark.browser]


def test_ssh_toggle(car: Stack, page) -> None:
    p = page("settings")
    state = p.locator("#ssh-state")
    p.wait_for_function("['Enabled', 'Disabled'].includes(document.querySelector('#ssh-state').textContent)")
    start = state.inner_text()
    first, second = ("#ssh-disable", "#ssh-enable") if start == "Enabled" else ("#ssh-enable", "#ssh-disable")
    p.click(first)
    p.wait_for_function(f"document.querySelector('#ssh-state').textContent === '{'Disabled' if start == 'Enabled' else 'Enabled'}'")
    p.reload(wait_until="domcontentloaded")       # the car remembers it
    p.wait_for_function(f"document.querySelector('#ssh-state').textContent === '{'Disabled' if start == 'Enabled' else 'Enabled'}'")
    p.click(second)
    p.wait_for_function(f"document.querySelector('#ssh-state').textContent === '{start}'")


def test_about_and_password_form(car: Stack, page) -> None:
    p = page("settings")
    p.wait_for_function("document.querySelector('#about-software').textContent !== '—'")
    assert p.locator("#about-hardware").inner_text() not in ("", "—")
    assert "GB" in p.locator("#about-ram").inner_text()
    p.wait_for_function("document.querySelector('#about-cpu-usage').textContent.includes('%')")

    change = p.locator("#pw-change")
    assert change.is_disabled()
    p.fill("#pw-old", "deepracer")
    p.fill("#pw-new", "new-secret-1")
    p.fill("#pw-confirm", "new-secret-2")
    assert change.is_disabled()
    assert "do not match" in p.locator("#pw-result").inner_text()
    p.fill("#pw-confirm", "new-secret-1")
    assert change.is_enabled()


def test_drive_hold_setting(car: Stack, page) -> None:

    p = page("settings")
    p.wait_for_function("document.querySelector('#drive-hold').value === '15'")
    try:
        p.fill("#drive-hold", "90")  # out of range: refused, nothing saved
        p.click("#drive-hold-save")
        p.wait_for_function("document.querySelector('#drive-hold-result').dataset.state === 'error'")
        assert "0.5 to 60" in p.locator("#drive-hold-result").inner_text()
        assert api_call(p, "GET", "/api/drive_settings")["legacy_drive_hold_s"] == 15.0
        p.fill("#drive-hold", "7.5")
        p.click("#drive-hold-save")
        p.wait_for_function("document.querySelector('#drive-hold-result').textContent.includes('7.5 s')")
        assert api_call(p, "GET", "/api/drive_settings")["legacy_drive_hold_s"] == 7.5
        p.reload(wait_until="domcontentloaded")  # saved on the car
        p.wait_for_function("document.querySelector('#drive-hold').value === '7.5'")
    finally:
        api_call(p, "POST", "/api/drive_settings", {"legacy_drive_hold_s": 15})


def test_software_update_card_refuses_a_file_that_is_no_bundle(car: Stack, page) -> None:
    p = page("settings")
    p.wait_for_function("document.querySelector('#update-running').textContent !== '—'")
    assert p.locator("#update-running").inner_text() == api_call(p, "GET", "/api/software_update")["running"]
    assert p.locator("#update-upload").is_disabled()
    p.set_input_files("#update-file", files=[{"name": "deepracer-9.9.9.tar.gz", "mimeType": "application/gzip",
                                               "buffer": b"not a bundle"}])
    p.click("#update-upload")
    p.wait_for_function("document.querySelector('#update-result').dataset.state === 'error'")
    assert "not a readable bundle" in p.locator("#update-result").inner_text()
