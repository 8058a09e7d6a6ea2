"""Logging in to the console in Chromium: wrong and right password, ?epwd= auto-login, log out, and
an expired session sending the app back to the login page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.console_ui.conftest import PASSWORD, Browser, Stack, login

pytestmark = [pytest.mark.ros, pytest.mark.browser]


def test_wrong_then_right_password(fresh_browser: Browser, stack: Stack, shot) -> None:
    page = fresh_browser.new_page()
    page.goto(stack.base_url + "/", wait_until="domcontentloaded")
    token = page.get_attribute('meta[name="csrf-token"]', "content")
    assert token and "{{" not in token
    shot(page, "login-laptop")

    page.fill("#password", "not-the-password")
    page.click("#login-submit")
    error = page.locator("#login-error")
    error.wait_for(state="visible")
    assert "incorrect" in error.inner_text()
    assert "/home" not in page.url

    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/home**", wait_until="domcontentloaded")
    page.wait_for_selector("#page-control")
    assert page.locator("h1.page-title").inner_text() == "Control vehicle"
    cookies = {c["name"] for c in fresh_browser.context.cookies()}
    assert "deepracer_token" in cookies
    assert fresh_browser.errors == []


def test_epwd_in_the_address_logs_in(fresh_browser: Browser, stack: Stack) -> None:
    page = fresh_browser.new_page()
    page.goto(f"{stack.base_url}/?epwd={PASSWORD}", wait_until="domcontentloaded")
    page.wait_for_selector("#page-control")
    assert "epwd" not in page.url


def test_wrong_epwd_shows_the_error_and_leaves_the_address(fresh_browser: Browser, stack: Stack) -> None:
    page = fresh_browser.new_page()
    page.goto(f"{stack.base_url}/login?epwd=wrong-one", wait_until="domcontentloaded")
    error = page.locator("#login-error")
    error.wait_for(state="visible")
    assert "incorrect" in error.inner_text()
    assert "epwd" not in page.url  # the password does not stay in the address bar / history


def test_logout_and_expired_session_go_to_login(fresh_browser: Browser, stack: Stack) -> None:
    page = fresh_browser.new_page()
    login(page, stack)
    page.click("#sidebar a.logout")
    page.wait_for_selector("#login-form")
    page.goto(stack.base_url + "/home", wait_until="domcontentloaded")
    page.wait_for_selector("#login-form")  # /home without a session is the login page

    # A session that ends while the app is open (revoked on the car, e.g. logged out in another
    # tab): the next API call answers 401 and the app goes to the login page.
    login(page, stack)
    page.goto(stack.base_url + "/home#/logs", wait_until="domcontentloaded")
    page.wait_for_selector("#log-output")
    other = fresh_browser.new_page()
    other.goto(stack.base_url + "/logout", wait_until="domcontentloaded")
    other.close()
    # (the status panel's own polling, refreshed when the tab becomes visible again, may hit the 401
    # first and navigate away; either way the app must end on the login page)
    try:
        page.evaluate("document.querySelector('#log-refresh') && document.querySelector('#log-refresh').click()")
    except PlaywrightError:
        pass
    page.wait_for_selector("#login-form")
    assert page.url.endswith("/login")
