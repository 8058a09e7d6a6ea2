"""Manual driving from the console in Chromium reaches the car: the touch/mouse pad and the keyboard
change /ctrl_pkg/servo_msg (and the simulated car moves); releasing, closing the tab and the
emergency stop stop it."""

from __future__ import annotations

from typing import Any

import pytest
from deepracer_interfaces_pkg.msg import ServoCtrlMsg
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy

from tests.console_ui.conftest import Stack, subscribe
from tests.support.ros import RosTestNode, wait_until

pytestmark = [pytest.mark.ros, pytest.mark.browser]

SERVO_QOS = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=100, reliability=ReliabilityPolicy.BEST_EFFORT)


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


def test_emergency_stop_button_stops_manual_driving(car: Stack, page, servo_msgs: list[Any], shot) -> None:
    p = page("control")
    _start_manual(p)
    p.locator("h1.page-title").click()
    mark = len(servo_msgs)
    p.keyboard.down("ArrowUp")
    wait_until(lambda: _seen(servo_msgs, mark, lambda m: m.throttle > 0), 5, "driving forward")
    mark = len(servo_msgs)
    p.click("#sidebar .estop")
    wait_until(lambda: _seen(servo_msgs, mark, lambda m: m.throttle == 0), 3, "the emergency stop")
    p.wait_for_selector("#manual-run-state[data-state=stopped]")
    assert "emergency stop" in p.locator("#manual-run-state").inner_text()
    # Pressing the key again does not drive: the driver stays disabled until Start is pressed.
    drive_requests: list[str] = []
    p.keyboard.up("ArrowUp")
    p.keyboard.down("ArrowUp")
    p.wait_for_function("document.querySelector('#manual-throttle').textContent === '-1.00'")
    assert p.evaluate("fetch('/api/server_ready').then(r => r.status)") == 200   # a later request, in order
    assert drive_requests == []
    p.keyboard.up("ArrowUp")
    shot(p, "control-after-emergency-stop-laptop")


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
    # for the servo node's 0.5 s watchdog (no gap of 0.5 s in the commands ctrl forwards to the
    # servo), so the car does not lurch to a stop.
    import time

    p = page("control")
    _start_manual(p)
    assert _uses_the_drive_socket(p)
    p.locator("h1.page-title").click()
    p.keyboard.down("ArrowUp")
    wait_until(lambda: any(m.throttle > 0 for _t, m in stamped.msgs), 5, "driving forward")
    start = time.monotonic()
    wait_until(lambda: time.monotonic() - start > 2.5, 5, "2.5 s of a steady stick")
    forward = [t for t, m in stamped.msgs if t >= start and m.throttle > 0]
    gaps = [b - a for a, b in zip([start, *forward], [*forward, time.monotonic()], strict=False)]
    assert len(forward) >= 10 and max(gaps) < 0.5, gaps
    p.keyboard.up("ArrowUp")
    p.click("#manual-stop")


@pytest.mark.parametrize("how", ["closed", "vanished"])
def test_the_page_going_away_stops_the_car_within_half_a_second(car: Stack, page, stamped: Stamped,
                                                                 how: str) -> None:
    # "vanished": the page's own stop-on-pagehide never runs; the drive socket closing is all the
    # console sees, and that stops the car at once.
    import time

    p = page("control")
    _start_manual(p)
    assert _uses_the_drive_socket(p)
    p.locator("h1.page-title").click()
    p.keyboard.down("ArrowUp")
    wait_until(lambda: any(m.throttle > 0 for _t, m in stamped.msgs), 5, "driving forward")
    wait_until(lambda: _sim_speed(car) > 0.05, 5, "the simulated car to move")
    console_log = car.logs_dir / "console.log"
    socket_stops = console_log.read_text(errors="replace").count("the driver's WebSocket closed")
    if how == "vanished":
        # The page's own stop (on pagehide, blur, visibilitychange) never runs, as when a phone's
        # browser is killed or the tab's process dies: only the socket closing remains.
        p.evaluate("import('/static/js/lib/drive.js').then((m) => { m.driver.stop = () => Promise.resolve(); })")
    gone = time.monotonic()
    p.close()
    wait_until(lambda: stamped.first_stop_after(gone) is not None, 3, "a stop on /ctrl_pkg/servo_msg")
    assert stamped.first_stop_after(gone) - gone <= 0.5
    if how == "vanished":  # the console's reason: the socket closed (not the page, not the dead-man)
        wait_until(lambda: console_log.read_text(errors="replace").count("the driver's WebSocket closed")
                   > socket_stops, 5, "the console to log the socket close")
