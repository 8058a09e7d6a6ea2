"""End-to-end fixtures for the console UI: the whole stack on the simulated car, started once for
this directory, and headless Chromium (Debian `chromium` through Playwright's `executable_path`).

- `stack`: the session's `deepracer run --sim` (tests/support/stack.py `sim_stack`); `car`: the same
  once the control services are up. Tests put back what they change (calibration, LED colour...).
- `ros`: one RosTestNode for the directory (subscriptions to the car's topics).
- `chromium`: one headless Chromium (fresh user-data dir); `laptop` / `phone`: isolated contexts in it,
  logged in to the console; `fresh_browser`: a context that is not logged in.
- `shot(page, name)`: saves test-artifacts/screenshots/<name>.png (git-ignored).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.ros import RosTestNode, wait_until
from tests.support.stack import SimStack

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "deepracer"  # the simulated car's console password until changed
LAPTOP = {"width": 1366, "height": 860}
PHONE = {"width": 390, "height": 844}
# Services the UI needs from the ROS graph before a test may start.
REQUIRED_SERVICES = (
    "/ctrl_pkg/vehicle_state", "/ctrl_pkg/enable_state", "/ctrl_pkg/get_car_cal", "/ctrl_pkg/set_car_cal",
    "/ctrl_pkg/get_car_led", "/ctrl_pkg/set_car_led", "/ctrl_pkg/model_state",
)


@dataclass
class Stack:
    base_url: str
    state_dir: Path
    out_path: Path

    @property
    def sim_dir(self) -> Path:
        return self.state_dir / "sim"

    @property
    def logs_dir(self) -> Path:
        """The drive recordings."""
        return self.state_dir / "logs"

    @property
    def process_logs_dir(self) -> Path:
        return self.state_dir / "stack-logs"

    def read_json(self, name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.state_dir / name).read_text())
        return data

    def diagnostics(self) -> str:
        parts = [self.out_path.read_text(errors="replace")[-3000:]]
        for log in sorted(self.process_logs_dir.glob("*.log")):
            parts.append(f"--- {log.name}\n" + log.read_text(errors="replace")[-1500:])
        return "\n".join(parts)


@pytest.fixture(scope="package")
def ros(sim_stack: SimStack) -> Iterator[RosTestNode]:
    node = sim_stack.ros_node("console_ui")
    try:
        yield node
    finally:
        node.close()


def subscribe(ros: RosTestNode, msg_type: Any, topic: str, qos: Any, publishers: int = 1,
              timeout: float = 20.0) -> list[Any]:
    """Collect `topic` into a list, once matched with its publisher(s): the car publishes most
    commands once per change, so a subscription still being discovered would miss them."""
    received: list[Any] = []
    sub = ros.node.create_subscription(msg_type, topic, received.append, qos)
    wait_until(lambda: sub.get_publisher_count() >= publishers, timeout, f"a publisher on {topic}")
    return received


def _services_up(node: RosTestNode) -> bool:
    names = {name for name, _types in node.node.get_service_names_and_types()}
    return all(s in names for s in REQUIRED_SERVICES)


@pytest.fixture(scope="package")
def stack(sim_stack: SimStack) -> Stack:
    """The session's simulated car (tests/support/stack.py), with the simulator running."""
    s = Stack(base_url=sim_stack.url, state_dir=sim_stack.state_dir, out_path=sim_stack.out_path)
    try:
        wait_until(lambda: (s.sim_dir / "status.json").is_file(), 60, "the simulator")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{s.diagnostics()}") from None
    return s


@pytest.fixture(scope="package")
def car(stack: Stack, sim_stack: SimStack, ros: RosTestNode) -> Iterator[Stack]:
    """The stack with the control services up (driving, calibration, LEDs, models). The car is
    shared with other test directories: it is left stopped, in manual mode, afterwards."""
    try:
        wait_until(lambda: _services_up(ros), 60, "the ctrl_pkg services")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{stack.diagnostics()}") from None
    yield stack
    client = sim_stack.login()
    try:
        client.post("/api/start_stop", json={"start_stop": "stop"})
        client.post("/api/drive_mode", json={"drive_mode": "manual"})
    finally:
        client.close()


# ------------------------------------------------------------------ browser
@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the directory. Playwright starts it with a fresh temporary
    user-data dir; every test session below gets its own isolated context in it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Browser:
    """An isolated browser context (own cookies and storage) that records page errors."""

    def __init__(self, chromium: Any, viewport: dict[str, int], mobile: bool = False) -> None:
        # bypass_csp: Playwright's wait_for_function polls by evaluating a string in the page, which
        # our pages' strict Content-Security-Policy forbids; the UI under its real CSP is tested by
        # test_cookie_and_csp.py (every page mounted, no violation) without this.
        self.context = chromium.new_context(
            viewport=viewport, is_mobile=mobile, has_touch=mobile, device_scale_factor=1,
            accept_downloads=False, service_workers="block", bypass_csp=True)
        self.context.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.context.on("page", self._watch)

    def _watch(self, page: Any) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))

    def new_page(self) -> Any:
        return self.context.new_page()

    def close(self) -> None:
        self.context.close()


def login(page: Any, stack: Stack, password: str = PASSWORD) -> None:
    # An MJPEG <img> keeps loading forever: wait for the DOM, not the load event.
    page.goto(stack.base_url + "/login", wait_until="domcontentloaded")
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url("**/home**", wait_until="domcontentloaded")
    page.wait_for_selector("#content .page")


@pytest.fixture(scope="package")
def laptop(chromium: Any, stack: Stack) -> Iterator[Browser]:
    browser = Browser(chromium, LAPTOP)
    page = browser.new_page()
    login(page, stack)
    page.close()
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="package")
def phone(chromium: Any, stack: Stack) -> Iterator[Browser]:
    browser = Browser(chromium, PHONE, mobile=True)
    page = browser.new_page()
    login(page, stack)
    page.close()
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def fresh_browser(chromium: Any) -> Iterator[Browser]:
    """A browser context that is not logged in (login flow tests)."""
    browser = Browser(chromium, LAPTOP)
    try:
        yield browser
    finally:
        browser.close()


def open_page(browser: Browser, stack: Stack, route: str) -> Any:
    """A new tab on `#/<route>` with the page mounted."""
    page = browser.new_page()
    page.goto(f"{stack.base_url}/home#/{route}", wait_until="domcontentloaded")
    page.wait_for_selector(f"#page-{route.split('/')[0]}")
    return page


def api_call(page: Any, method: str, path: str, body: Any = None) -> Any:
    """Call the console API from a logged-in page, as the app does (CSRF header from the meta tag)."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const token = document.querySelector('meta[name="csrf-token"]').content;
            const init = {method, headers: {'X-CSRFToken': token, 'Content-Type': 'application/json'}};
            if (body !== null) init.body = JSON.stringify(body);
            const res = await fetch(path, init);
            return res.json();
        }""", [method, path, body])


@pytest.fixture
def page(laptop: Browser, stack: Stack) -> Iterator[Callable[[str], Any]]:
    """page(route) -> a laptop tab showing #/<route>; closed after the test; no script errors allowed."""
    opened: list[Any] = []
    errors_before = len(laptop.errors)

    def _open(route: str) -> Any:
        p = open_page(laptop, stack, route)
        opened.append(p)
        return p

    yield _open
    for p in opened:
        if not p.is_closed():
            p.close()
    assert laptop.errors[errors_before:] == [], "JavaScript errors on the page"


@pytest.fixture
def shot() -> Callable[[Any, str], Path]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page: Any, name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return _shot
