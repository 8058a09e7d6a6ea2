"""Manual driving from the console in Chromium reaches the car: the touch/mouse pad and the keyboard
change /ctrl_pkg/servo_msg (and the simulated car moves); releasing, closing the tab and the
emergency stop stop it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ctrl_pkg.ctrl_node import command_qos
from deepracer_interfaces_pkg.msg import ServoCtrlMsg

from tests.console_ui.conftest import Stack, subscribe
from tests.support.ros import RosTestNode, wait_until, with_depth

pytestmark = [pytest.mark.ros, pytest.mark.browser]

SERVO_QOS = with_depth(command_qos(), 100)  # as servo_node reads /ctrl_pkg/servo_msg, keeping bursts


@pytest.fixture(scope="module")
def servo_msgs(car: Stack, ros: RosTestNode) -> list[Any]:
    return subscribe(ros, ServoCtrlMsg, "/ctrl_pkg/servo_msg", SERVO_QOS)


def _seen(msgs: list[Any], since: int, pred: Any) -> bool:
    return any(pred(m) for m in msgs[since:])


def _start_manual(p: Any) -> None:
    p.click("#tab-manual")
    p.click("#manual-start")
    p.wait_for_selector("#manual-run-state[data-state=running]")


def _sim_speed(stack: Stack) -> float:
    import json

    try:
        return float(json.loads((stack.sim_dir / "status.json").read_text())["speed"])
    except (OSError, ValueError, KeyError):
        return 0.0


def test_pad_drives_forward_right_and_release_stops(car: Stack, page, servo_msgs: list[Any], shot) -> None:
    p = page("control")
    _start_manual(p)
    p.locator(".joy-pad").scroll_into_view_if_needed()
    box = p.locator(".joy-pad").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    mark = len(servo_msgs)
    # Up and to the right: the console sends angle +0.8 / throttle -0.8 (screen y), the car steers
    # right (angle < 0) and drives forward (throttle > 0).
    p.mouse.move(cx + 0.4 * box["width"], cy - 0.4 * box["height"])
    p.mouse.down()
    wait_until(lambda: _seen(servo_msgs, mark, lambda m: m.throttle > 0 and m.angle < 0), 5,
               "a forward, right-steering command on /ctrl_pkg/servo_msg")
    assert p.locator("#manual-angle").inner_text() == "0.80"
    assert p.locator("#manual-throttle").inner_text() == "-0.80"
    wait_until(lambda: _sim_speed(car) > 0.05, 5, "the simulated car to move")
    shot(p, "control-manual-driving-laptop")

    mark = len(servo_msgs)
    p.mouse.up()
    wait_until(lambda: _seen(servo_msgs, mark, lambda m: m.throttle == 0 and m.angle == 0), 5,
               "a stop on /ctrl_pkg/servo_msg after releasing the pad")
    p.click("#manual-stop")
    p.wait_for_selector("#manual-run-state[data-state=stopped]")


def test_keyboard_drives_while_held(car: Stack, page, servo_msgs: list[Any]) -> None:
    p = page("control")
    _start_manual(p)
    p.locator("h1.page-title").click()   # focus the page, not a form field
    mark = len(servo_msgs)
    p.keyboard.down("ArrowUp")
    p.keyboard.down("KeyA")
    wait_until(lambda: _seen(servo_msgs, mark, lambda m: m.throttle > 0 and m.angle > 0), 5,
               "forward + left from ArrowUp + A")
    mark = len(servo_msgs)
    p.keyboard.up("ArrowUp")
    p.keyboard.up("KeyA")
    wait_until(lambda: _seen(servo_msgs, mark, lambda m: m.throttle == 0 and m.angle == 0), 5,
               "a stop after releasing the keys")


def test_closing_the_tab_stops_the_car(car: Stack, page, servo_msgs: list[Any]) -> None:
    p = page("control")
    _start_manual(p)
    p.locator("h1.page-title").click()
    mark = len(servo_msgs)
    p.keyboard.down("ArrowUp")
    wait_until(lambda: _seen(servo_msgs, mark, lambda m: m.throttle > 0), 5, "driving forward")
    mark = len(servo_msgs)
    p.close()   # the key is still "held": only the page going away can stop the car
    wait_until(lambda: _seen(servo_msgs, mark, lambda m: m.throttle == 0), 3,
               "the car to stop after the driver's tab closed")


class DriveTraffic:
    """What the page sends to drive the car, in order: drive-socket frames and HTTP requests."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.events: list[tuple[str, str, str]] = []   # (kind, what, body)
        page.on("request", lambda r: self.events.append(("http", f"{r.method} {r.url}", r.post_data or "")))
        page.on("websocket", lambda ws: ws.on(
            "framesent", lambda payload: self.events.append(("ws", ws.url, str(payload)))))

    def drives(self, since: int) -> list[tuple[str, str, str]]:
        """Commands that would move the car (a non-zero drive frame or manual_drive request)."""
        self.pump()
        moving = []
        for kind, what, body in self.events[since:]:
            is_drive = ('"type":"drive"' in body if kind == "ws"
                        else what.startswith(("PUT ", "POST ")) and what.endswith("/api/manual_drive"))
            if is_drive and json.loads(body).get("throttle", 0) != 0:
                moving.append((kind, what, body))
        return moving

    def pump(self) -> None:
        """Playwright's sync API hands events over only while it is called: one call to the page."""
        self.page.evaluate("0")

    def request_index(self, path: str, since: int = 0) -> int | None:
        """Where the first request to `path` (after `since`) is in the recording, or None."""
        self.pump()
        return next((i for i, (kind, what, _) in enumerate(self.events) if i >= since and kind == "http"
                     and what.endswith(path)), None)


def test_emergency_stop_button_stops_manual_driving(car: Stack, page, servo_msgs: list[Any], shot) -> None:
    p = page("control")
    traffic = DriveTraffic(p)
    _start_manual(p)
    p.locator("h1.page-title").click()
    mark = len(servo_msgs)
    p.keyboard.down("ArrowUp")
    wait_until(lambda: _seen(servo_msgs, mark, lambda m: m.throttle > 0), 5, "driving forward")
    wait_until(lambda: traffic.drives(0), 5, "the recorder to see the page's drive commands")
    mark = len(servo_msgs)
    p.click("#sidebar .estop")
    wait_until(lambda: _seen(servo_msgs, mark, lambda m: m.throttle == 0), 3, "the emergency stop")
    p.wait_for_selector("#manual-run-state[data-state=stopped]")
    assert "emergency stop" in p.locator("#manual-run-state").inner_text()

    # Pressing the key again does not drive: the driver stays disabled until Start is pressed.
    # (Recorded from the e-stop request on: drive frames sent before the click precede it.)
    stopped = wait_until(lambda: traffic.request_index("/api/emergency_stop"), 5, "the e-stop request recorded")
    servo_stopped = len(servo_msgs)
    p.keyboard.up("ArrowUp")
    p.keyboard.down("ArrowUp")
    # The page took the key (a started driver sends in the same task that shows it) ...
    p.wait_for_function("document.querySelector('#manual-throttle').textContent === '-1.00'")
    # ... and a later request has gone out and been recorded: everything sent before it is in.
    assert p.evaluate("fetch('/api/server_ready').then(r => r.status)") == 200
    wait_until(lambda: traffic.request_index("/api/server_ready", stopped), 5, "the later request recorded")
    assert traffic.drives(stopped) == []
    shot(p, "control-after-emergency-stop-laptop")

    # The same held key drives once Start is pressed: the path above was live, only the e-stop held it.
    traffic.pump()
    restarted, servo_restarted = len(traffic.events), len(servo_msgs)
    p.click("#manual-start")
    p.wait_for_selector("#manual-run-state[data-state=running]")
    wait_until(lambda: traffic.drives(restarted), 5, "the held key to drive after Start")
    wait_until(lambda: _seen(servo_msgs, servo_restarted, lambda m: m.throttle > 0), 5, "driving after Start")
    assert not _seen(servo_msgs[:servo_restarted], servo_stopped, lambda m: m.throttle > 0)
    p.keyboard.up("ArrowUp")
    p.click("#manual-stop")
    p.wait_for_selector("#manual-run-state[data-state=stopped]")


FAKE_GAMEPAD = """
window.__pad = {
  connected: true, id: 'Test controller (STANDARD GAMEPAD)', index: 0, mapping: 'standard', timestamp: 0,
  axes: [0, 0, 0, 0],
  buttons: Array.from({ length: 17 }, () => ({ pressed: false, touched: false, value: 0 })),
};
navigator.getGamepads = () => [window.__pad];
"""


def test_gamepad_drives_only_with_the_dead_man_button(car: Stack, laptop, servo_msgs: list[Any]) -> None:
    # The browser's Gamepad API is the hardware boundary here: a controller whose stick is pushed.
    p = laptop.new_page()
    try:
        p.add_init_script(FAKE_GAMEPAD)
        p.goto(f"{car.base_url}/home#/control", wait_until="domcontentloaded")
        p.wait_for_selector("#page-control")
        _start_manual(p)
        p.evaluate("window.__pad.axes[1] = -1")             # stick fully up, dead-man not held
        p.wait_for_function("document.querySelector('#gamepad-info').textContent.includes('hold A or LB')")
        assert p.locator("#manual-throttle").inner_text() == "0.00"

        mark = len(servo_msgs)
        p.evaluate("window.__pad.buttons[0] = { pressed: true, touched: true, value: 1 }")   # hold A
        wait_until(lambda: _seen(servo_msgs, mark, lambda m: m.throttle > 0), 5, "driving with the dead-man held")
        assert "dead-man held" in (p.locator("#gamepad-info").text_content() or "")

        mark = len(servo_msgs)
        p.evaluate("window.__pad.buttons[0] = { pressed: false, touched: false, value: 0 }")  # let go
        wait_until(lambda: _seen(servo_msgs, mark, lambda m: m.throttle == 0), 5,
                   "a stop when the dead-man button is released")
    finally:
        p.close()


@pytest.mark.parametrize("event", ["visibilitychange", "blur"])
def test_hiding_the_page_stops_the_car(car: Stack, page, servo_msgs: list[Any], event: str) -> None:
    # Headless Chromium never hides a tab or loses focus by itself, so the browser's own signal is
    # raised here (the phone's screen locking, switching apps or windows).
    p = page("control")
    _start_manual(p)
    p.locator("h1.page-title").click()
    mark = len(servo_msgs)
    p.keyboard.down("ArrowUp")
    wait_until(lambda: _seen(servo_msgs, mark, lambda m: m.throttle > 0), 5, "driving forward")
    mark = len(servo_msgs)
    if event == "visibilitychange":
        p.evaluate("""() => {
            Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
            Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
            document.dispatchEvent(new Event('visibilitychange'));
        }""")
    else:
        p.evaluate("window.dispatchEvent(new Event('blur'))")
    wait_until(lambda: _seen(servo_msgs, mark, lambda m: m.throttle == 0), 3, f"a stop on {event}")
    p.wait_for_selector("#manual-run-state[data-state=stopped]")
    p.keyboard.up("ArrowUp")


class Stamped:
    """/ctrl_pkg/servo_msg with the arrival time of each message."""

    def __init__(self, ros: RosTestNode) -> None:
        import time

        self.clock = time.monotonic
        self.msgs: list[tuple[float, Any]] = []
        self.sub = ros.node.create_subscription(ServoCtrlMsg, "/ctrl_pkg/servo_msg",
                                                lambda m: self.msgs.append((self.clock(), m)), SERVO_QOS)
        wait_until(lambda: self.sub.get_publisher_count() >= 1, 20, "a publisher on /ctrl_pkg/servo_msg")
        self.ros = ros

    def first_stop_after(self, since: float) -> float | None:
        return next((t for t, m in list(self.msgs) if t >= since and m.throttle == 0 and m.angle == 0), None)

    def close(self) -> None:
        self.ros.node.destroy_subscription(self.sub)


@pytest.fixture
def stamped(car: Stack, ros: RosTestNode) -> Any:
    s = Stamped(ros)
    yield s
    s.close()


def _uses_the_drive_socket(p: Any) -> bool:
    return bool(p.evaluate("import('/static/js/lib/drive.js').then(m => !!(m.driver.channel && m.driver.channel.isOpen))"))


def test_a_steady_stick_keeps_the_car_driving(car: Stack, page, stamped: Stamped) -> None:
    # Holding a key sends one command, then only heartbeats: the console repeats the held command
    # for the servo node's 0.5 s watchdog, so the car does not lurch to a stop. Judged by the car's
    # own watchdog (it logs every cut), not by arrival gaps here, which a loaded machine stretches.
    import time

    core_log = car.process_logs_dir / "core.log"
    p = page("control")
    _start_manual(p)
    assert _uses_the_drive_socket(p)
    p.locator("h1.page-title").click()
    p.keyboard.down("ArrowUp")
    wait_until(lambda: any(m.throttle > 0 for _t, m in stamped.msgs), 5, "driving forward")
    assert "servo_node" in core_log.read_text(errors="replace")   # the servo node logs here (its cuts too)
    cuts = core_log.read_text(errors="replace").count("command watchdog")
    start = time.monotonic()
    # 2.5 s of a steady stick, and one watchdog period more so that a gap at its end has tripped too
    wait_until(lambda: time.monotonic() - start > 2.5 + 0.5, 5, "3 s of a steady stick")
    forward = [t for t, m in stamped.msgs if t >= start and m.throttle > 0]
    assert len(forward) >= 10                                     # the held command kept coming
    assert core_log.read_text(errors="replace").count("command watchdog") == cuts, "the servo watchdog cut the car"
    p.keyboard.up("ArrowUp")
    p.click("#manual-stop")


DEAD_MAN_STOP = "car stopped: no command or heartbeat from the driver"   # the console's 0.5 s dead-man


@pytest.mark.parametrize("how", ["closed", "vanished"])
def test_the_page_going_away_stops_the_car_at_once(car: Stack, page, stamped: Stamped, how: str) -> None:
    # "vanished": the page's own stop-on-pagehide never runs; the drive socket closing is all the
    # console sees, and that stops the car at once. "At once" is told by the cause, from the console's
    # log (not its 0.5 s dead-man); the time bound is the safety requirement, generous for a loaded
    # machine: stopped within 1 s of the page going away.
    import time

    p = page("control")
    _start_manual(p)
    assert _uses_the_drive_socket(p)
    p.locator("h1.page-title").click()
    p.keyboard.down("ArrowUp")
    wait_until(lambda: any(m.throttle > 0 for _t, m in stamped.msgs), 5, "driving forward")
    wait_until(lambda: _sim_speed(car) > 0.05, 5, "the simulated car to move")
    console_log = car.process_logs_dir / "console.log"
    before = console_log.read_text(errors="replace")
    socket_stops, dead_man_stops = before.count("the driver's WebSocket closed"), before.count(DEAD_MAN_STOP)
    if how == "vanished":
        # The page's own stop (on pagehide, blur, visibilitychange) never runs, as when a phone's
        # browser is killed or the tab's process dies: only the socket closing remains.
        p.evaluate("import('/static/js/lib/drive.js').then((m) => { m.driver.stop = () => Promise.resolve(); })")
    gone = time.monotonic()
    p.close()
    wait_until(lambda: stamped.first_stop_after(gone) is not None, 3, "a stop on /ctrl_pkg/servo_msg")
    assert stamped.first_stop_after(gone) - gone <= 1.0
    if how == "vanished":  # the console's reason: the socket closed (not the page, not the dead-man)
        wait_until(lambda: console_log.read_text(errors="replace").count("the driver's WebSocket closed")
                   > socket_stops, 20, "the console to log the socket close")
    # the console logs a dead-man stop as it publishes it: none came with this stop
    assert console_log.read_text(errors="replace").count(DEAD_MAN_STOP) == dead_man_stops
