"""status_led_node: led_solid / led_blink services drive the LED GPIO triplets."""

from __future__ import annotations

import pytest
from deepracer_interfaces_pkg.srv import SetStatusLedBlinkSrv, SetStatusLedSolidSrv

from drivers.status_leds import LED_GPIOS
from tests.actuation.helpers import SUPPORT, Graph, GraphPool, SimCar, register_graph
from tests.support.ros import NodeProcess, RosTestNode, wait_until

GRAPH = register_graph("support", SUPPORT)


@pytest.fixture(scope="module")
def graph(graph_pool: GraphPool) -> Graph:
    return graph_pool.get(GRAPH)


@pytest.fixture(scope="module")
def ros(graph: Graph) -> RosTestNode:
    return graph.ros


@pytest.fixture(scope="module")
def support_nodes(graph: Graph) -> tuple[SimCar, NodeProcess]:
    return graph.car, graph.proc


def rgb(car: SimCar, index: int) -> tuple[str, ...]:
    return tuple(car.gpio(n) for n in LED_GPIOS[index])


def solid(ros: RosTestNode, index: int, color: str, hold: float = 0.0) -> int:
    return ros.call(SetStatusLedSolidSrv, "/status_led_pkg/led_solid",
                    SetStatusLedSolidSrv.Request(led_index=index, color=color, hold=hold)).error


def test_power_led_solid_blue(ros: RosTestNode, support_nodes: tuple[SimCar, NodeProcess]) -> None:
    car, _ = support_nodes
    assert solid(ros, 2, "blue") == 0
    wait_until(lambda: rgb(car, 2) == ("0", "0", "1"), 5, "power LED (450, 457, 458) blue")


def test_wifi_led_blinks_then_fails_red(ros: RosTestNode, support_nodes: tuple[SimCar, NodeProcess]) -> None:
    car, _ = support_nodes
    request = SetStatusLedBlinkSrv.Request(led_index=0, color1="blue", color2="no_color", delay=0.05)
    assert ros.call(SetStatusLedBlinkSrv, "/status_led_pkg/led_blink", request).error == 0
    seen: set[tuple[str, ...]] = set()
    wait_until(lambda: seen.add(rgb(car, 0)) or {("0", "0", "1"), ("0", "0", "0")} <= seen, 5,
               "Wi-Fi LED blinking blue")
    assert solid(ros, 0, "red", 0.2) == 0
    wait_until(lambda: rgb(car, 0) == ("1", "0", "0"), 5, "Wi-Fi LED red")


def test_bad_requests_are_errors(ros: RosTestNode, support_nodes: tuple[SimCar, NodeProcess]) -> None:
    car, proc = support_nodes
    assert solid(ros, 1, "magenta") == 1
    assert solid(ros, 4, "blue") == 1
    request = SetStatusLedBlinkSrv.Request(led_index=1, color1="red", color2="blue", delay=0.0)
    assert ros.call(SetStatusLedBlinkSrv, "/status_led_pkg/led_blink", request).error == 1
    assert rgb(car, 1) == ("0", "0", "0")
    assert "unknown colour 'magenta'" in proc.log_text()
