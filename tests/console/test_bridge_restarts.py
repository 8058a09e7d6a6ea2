"""The console's ROS bridge after a process it calls was killed and restarted (issue 12, safety 3).

DDS keeps a SIGKILLed process's services on the graph for its lease (10 s), so a request sent in the
restart window goes to that ghost only and is never answered. The bridge asks again as soon as a new
process serves the service, instead of waiting out its timeout (every console page stalled for 10 s
after a core restart)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from deepracer_interfaces_pkg.srv import GetModelLoadingStatusSrv

from tests.console.ros_services import FakeVehicleServices
from tests.console.test_ros_bridge import BridgeHost
from tests.support.ros import RosTestNode, wait_until

pytestmark = pytest.mark.ros
SERVICE = "/ctrl_pkg/is_model_loading"


def test_a_request_lost_in_a_killed_process_is_sent_again_to_its_replacement(
        start_node: Any, ros_node: RosTestNode, tmp_path: Path) -> None:
    ghost = start_node("ctrl_pkg.ctrl_node", env={"DEEPRACER_STATE_DIR": str(tmp_path)})
    bridge = BridgeHost(service_wait=5.0, service_timeout=8.0)  # 8 s: answered, or failed, before the lease ends
    try:
        client = bridge.node._service_clients[SERVICE]
        wait_until(client.service_is_ready, 30, "ctrl_node's is_model_loading service")
        first = asyncio.run(bridge.node.call(SERVICE, GetModelLoadingStatusSrv.Request()))
        assert first.model_loading_status == "error"  # the real ctrl_node answers: no model

        ghost.proc.kill()
        ghost.proc.wait()
        assert client.service_is_ready()  # the killed process is still on the graph

        outcome: dict[str, Any] = {}

        def ask() -> None:
            try:
                outcome["answer"] = asyncio.run(bridge.node.call(SERVICE, GetModelLoadingStatusSrv.Request()))
            except Exception as exc:
                outcome["error"] = exc

        caller = threading.Thread(target=ask)
        caller.start()
        wait_until(lambda: client._pending_requests, 5, "the request sent to the killed process")
        FakeVehicleServices(ros_node.node)  # the replacement (answers "loaded")
        caller.join(20)
        assert "error" not in outcome, f"the request was not sent again: {outcome['error']!r}"
        assert outcome["answer"].model_loading_status == "loaded"
    finally:
        bridge.close()


class _FlakyExecutor:
    """spin_once raises like rclpy does when a subscription is destroyed under the wait set."""

    def __init__(self, failures: int, stop: threading.Event, spins_before_stop: int) -> None:
        self.failures = failures
        self.spins = 0
        self.stop = stop
        self.spins_before_stop = spins_before_stop

    def spin_once(self, timeout_sec: float) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("cannot use Destroyable because destruction was requested")
        self.spins += 1
        if self.spins >= self.spins_before_stop:
            self.stop.set()


class _Context:
    def ok(self) -> bool:
        return True


def test_the_bridge_keeps_spinning_after_a_destroyed_handle(monkeypatch: pytest.MonkeyPatch) -> None:
    from webserver_pkg import webserver_publisher_node as bridge

    kills: list[int] = []
    monkeypatch.setattr(bridge.os, "kill", lambda pid, sig: kills.append(sig))
    stop = threading.Event()
    executor = _FlakyExecutor(failures=3, stop=stop, spins_before_stop=5)
    bridge.spin_until_shutdown(executor, _Context(), stop)
    assert executor.spins == 5 and kills == []   # the console's ROS thread survived: calls still work
    # an executor that keeps failing: the console stops itself so the launcher restarts it
    broken = _FlakyExecutor(failures=10**6, stop=threading.Event(), spins_before_stop=1)
    bridge.spin_until_shutdown(broken, _Context(), threading.Event(), max_failures=20)
    assert kills == [bridge.signal.SIGTERM]
