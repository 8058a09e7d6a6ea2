"""ctrl_node's servo power requests wait for the servo node and always end on the last wanted state."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from ctrl_pkg.ctrl_node import CtrlNode
from deepracer_interfaces_pkg.srv import EnableStateSrv, ServoGPIOSrv
from rclpy.parameter import Parameter

from tests.actuation.helpers import DomainRosNode, claim_private_domain
from tests.support.ros import wait_until


@pytest.fixture
def graph() -> Iterator[tuple[DomainRosNode, CtrlNode]]:
    """A ctrl_node hosted in the test's own executor, in a private domain with no servo node yet."""
    domain, lock = claim_private_domain()
    ros = DomainRosNode("pytest_power", domain)
    ctrl = CtrlNode(context=ros.context, parameter_overrides=[Parameter("activate_camera", value=False)])
    ros.executor.add_node(ctrl)
    try:
        yield ros, ctrl
    finally:
        ctrl.on_shutdown()
        ros.executor.remove_node(ctrl)
        ctrl.destroy_node()
        ros.close()
        lock.close()


def test_power_on_reaches_a_servo_node_that_starts_later(graph: tuple[DomainRosNode, CtrlNode]) -> None:
    ros, _ = graph
    assert ros.call(EnableStateSrv, "/ctrl_pkg/enable_state", EnableStateSrv.Request(is_active=True)).error == 0
    received: list[int] = []

    def servo_gpio(request: Any, response: Any) -> Any:
        received.append(request.enable)
        response.error = 0
        return response

    ros.node.create_service(ServoGPIOSrv, "/servo_pkg/servo_gpio", servo_gpio)   # the servo node comes up
    wait_until(lambda: received == [0], 15, "servo_gpio(enable=0) once the service exists")


def test_the_last_request_wins(graph: tuple[DomainRosNode, CtrlNode]) -> None:
    ros, ctrl = graph
    received: list[int] = []
    release = threading.Event()

    def slow_servo_gpio(request: Any, response: Any) -> Any:
        received.append(request.enable)
        release.wait(5)              # the first answer is slow: later requests queue up meanwhile
        response.error = 0
        return response

    ros.node.create_service(ServoGPIOSrv, "/servo_pkg/servo_gpio", slow_servo_gpio)
    wait_until(lambda: ctrl.servo_gpio_client.service_is_ready(), 15, "servo_gpio discovered")
    ctrl.servo_power.request(True)
    wait_until(lambda: received == [0], 10, "the first request in flight")
    for wanted in (False, True, False):      # stop, start, stop while the first answer is pending
        ctrl.servo_power.request(wanted)
    release.set()
    wait_until(lambda: received == [0, 1], 10, "only the last wanted state (off) applied next")
