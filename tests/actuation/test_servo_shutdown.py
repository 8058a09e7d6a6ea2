"""Neutral on the way out: SIGTERM, SIGINT (systemd's KillSignal=2) and an exception in any hosted node
leave throttle neutral, steering centred, the tail light off and the servo power disabled."""

from __future__ import annotations

import signal

from deepracer_interfaces_pkg.msg import ServoCtrlMsg
from deepracer_interfaces_pkg.srv import ServoGPIOSrv
from std_srvs.srv import Trigger

from tests.actuation.helpers import (
    NEUTRAL,
    Graph,
    GraphPool,
    GraphSpec,
    make_publisher,
    register_graph,
    wait_for_subscriber,
)
from tests.support.ros import publish_until, wait_until

# a long watchdog, so only the shutdown path can bring the outputs back
LONG_WATCHDOG = ["-p", "watchdog_timeout:=60.0"]
SIGTERM_GRAPH = register_graph("servo_sigterm", GraphSpec("servo_pkg.servo_node", LONG_WATCHDOG, "servo_node started"))
SIGINT_GRAPH = register_graph("servo_sigint", GraphSpec("servo_pkg.servo_node", LONG_WATCHDOG, "servo_node started"))
CRASH_GRAPH = register_graph("servo_crash", GraphSpec("tests.actuation.crash_host", LONG_WATCHDOG,
                                                      "servo_node started"))


def drive_hard(graph: Graph) -> None:
    ros, car = graph.ros, graph.car
    assert ros.call(ServoGPIOSrv, "/servo_pkg/servo_gpio", ServoGPIOSrv.Request(enable=0)).error == 0
    pub = make_publisher(ros, ServoCtrlMsg, "/ctrl_pkg/servo_msg")
    wait_for_subscriber(pub)
    publish_until(pub, ServoCtrlMsg(angle=1.0, throttle=1.0), lambda: car.drive_duties() == ("1311000", "1700000"))
    ros.node.destroy_publisher(pub)
    assert car.gpio(436) == "0"


def assert_safe(graph: Graph) -> None:
    assert graph.car.drive_duties() == NEUTRAL
    assert graph.car.led_duties() == ("0", "0", "0")
    assert graph.car.gpio(436) == "1"


def test_sigterm_leaves_the_car_neutral(graph_pool: GraphPool) -> None:
    graph = graph_pool.get(SIGTERM_GRAPH)
    drive_hard(graph)
    graph.proc.proc.send_signal(signal.SIGTERM)
    assert graph.proc.proc.wait(20) == 0
    assert_safe(graph)
    assert "servo_node stopped: throttle neutral" in graph.proc.log_text()


def test_sigint_leaves_the_car_neutral(graph_pool: GraphPool) -> None:
    graph = graph_pool.get(SIGINT_GRAPH)
    drive_hard(graph)
    graph.proc.proc.send_signal(signal.SIGINT)
    assert graph.proc.proc.wait(20) == 0
    assert_safe(graph)


def test_exception_in_a_callback_leaves_the_car_neutral(graph_pool: GraphPool) -> None:
    graph = graph_pool.get(CRASH_GRAPH)
    drive_hard(graph)
    client = graph.ros.node.create_client(Trigger, "/crash_test/crash")
    assert client.wait_for_service(timeout_sec=15)
    future = client.call_async(Trigger.Request())       # never answered: the callback raises
    wait_until(lambda: graph.proc.proc.poll() is not None, 20, "the host to stop after the exception")
    client.remove_pending_request(future)
    assert graph.proc.proc.returncode == 1
    assert_safe(graph)
    assert "injected failure in a callback" in graph.proc.log_text()
    graph.ros.node.destroy_client(client)
