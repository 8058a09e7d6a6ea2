"""software_update_node: the original software update services and progress topic, over our updater.

- `software_update_check`: the package index (`update_source`: a folder of bundles, or a folder or
  URL with index.json; default DEEPRACER_UPDATE_INDEX) offers a release newer than the running one
  -> UPDATE_AVAILABLE (1), else UP_TO_DATE (0); UNKNOWN (-1) when it cannot be read.
- `begin_update`: when an update is available, fetches the bundle (in a thread: never in the
  executor) and starts `deepracer update --install` in a process of its own (it restarts this stack,
  checks its health and rolls back by itself) -> UPDATE_PENDING (2), `response_status` true.
- `software_update_pct`: the updater's progress (`<prefix>/update-status.json`), published when it
  changes and every 2 s while an update runs, as the original (states beginning, downloading,
  installing, complete; "unknown" 0 % after a failure).

Like the original it turns the power LED solid blue once the stack runs ("an application is
running", Developer Guide LED table).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from deepracer_interfaces_pkg.msg import SoftwareUpdatePctMsg
from deepracer_interfaces_pkg.srv import (
    BeginSoftwareUpdateSrv,
    SetStatusLedSolidSrv,
    SoftwareUpdateCheckSrv,
    SoftwareUpdateStateSrv,
)
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy

from deepracer_systems_pkg.system_checks import (
    UP_TO_DATE,
    UPDATE_AVAILABLE,
    UPDATE_IN_PROGRESS,
    UPDATE_PENDING,
    check_update,
    installed_version,
)
from usb_wifi_provisioner.leds import BLUE, POWER_LED

RUNNING_STATES = ("beginning", "downloading", "installing")


class SoftwareUpdateNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        import os

        from runtime.paths import install_prefix

        kwargs.setdefault("namespace", "deepracer_systems_pkg")
        super().__init__("software_update_node", **kwargs)  # the original launch file renames "software_update_process"
        self.declare_parameter("update_source", os.environ.get("DEEPRACER_UPDATE_INDEX", ""))
        self.declare_parameter("prefix", str(install_prefix()))
        self.declare_parameter("status_period", 1.0)
        self.declare_parameter("power_led_ready", True)
        self._offer: Any = None
        self._lock = threading.Lock()
        self.state = UP_TO_DATE
        self._last_status: tuple[Any, ...] | None = None
        self._last_publish = 0.0
        group = ReentrantCallbackGroup()
        self.pct_pub = self.create_publisher(SoftwareUpdatePctMsg, "/deepracer_systems_pkg/software_update_pct",
                                             QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
        self.create_service(SoftwareUpdateCheckSrv, "/deepracer_systems_pkg/software_update_check", self._check,
                            callback_group=group)
        self.create_service(BeginSoftwareUpdateSrv, "/deepracer_systems_pkg/begin_update", self._begin,
                            callback_group=group)
        self.create_service(SoftwareUpdateStateSrv, "/deepracer_systems_pkg/software_update_state", self._state,
                            callback_group=group)
        self.led_client: Any = self.create_client(SetStatusLedSolidSrv, "/status_led_pkg/led_solid", callback_group=group)
        self._led_done = not self.get_parameter("power_led_ready").get_parameter_value().bool_value
        self._led_timer = self.create_timer(0.5, self._power_led_ready, callback_group=MutuallyExclusiveCallbackGroup())
        period = max(0.2, float(self.get_parameter("status_period").value))
        self.create_timer(period, self._publish_progress, callback_group=MutuallyExclusiveCallbackGroup())
        self.get_logger().info(f"software_update_node started (index {self._source() or 'none'})")

    def _source(self) -> str:
        return self.get_parameter("update_source").get_parameter_value().string_value

    def _prefix(self) -> Path:
        return Path(self.get_parameter("prefix").get_parameter_value().string_value)

    def _running(self) -> str | None:
        from updates.releases import ReleaseStore

        return ReleaseStore(self._prefix()).current() or installed_version()

    def _power_led_ready(self) -> None:
        if self._led_done:
            self._led_timer.cancel()
            return
        if not self.led_client.service_is_ready():
            return
        request = SetStatusLedSolidSrv.Request()
        request.led_index, request.color, request.hold = POWER_LED, BLUE, 0.0
        self.led_client.call_async(request)
        self._led_done = True
        self._led_timer.cancel()

    # -- services
    def _check(self, request: SoftwareUpdateCheckSrv.Request,
               response: SoftwareUpdateCheckSrv.Response) -> SoftwareUpdateCheckSrv.Response:
        with self._lock:
            if self.state not in (UPDATE_PENDING, UPDATE_IN_PROGRESS):
                self.state, self._offer = check_update(self._source(), self._running())
            response.software_update_state = self.state
        return response

    def _begin(self, request: BeginSoftwareUpdateSrv.Request,
               response: BeginSoftwareUpdateSrv.Response) -> BeginSoftwareUpdateSrv.Response:
        with self._lock:
            if self.state == UP_TO_DATE and self._source():
                self.state, self._offer = check_update(self._source(), self._running())
            offer = self._offer
            if self.state != UPDATE_AVAILABLE or offer is None:
                response.response_status = False
                return response
            self.state = UPDATE_PENDING
        threading.Thread(target=self._start_update, args=(offer,), name="update-start", daemon=True).start()
        response.response_status = True
        return response

    def _start_update(self, offer: Any) -> None:
        from updates.sources import fetch
        from updates.updater import launch_update

        prefix = self._prefix()
        try:
            archive = fetch(offer, prefix / "downloads")
            launch_update(archive, prefix=prefix)
            self.get_logger().info(f"software update to {offer.version} started from {archive}")
        except Exception as exc:
            self.get_logger().error(f"software update to {offer.version} could not start: {exc}")
            with self._lock:
                self.state = UPDATE_AVAILABLE

    def _state(self, request: SoftwareUpdateStateSrv.Request,
               response: SoftwareUpdateStateSrv.Response) -> SoftwareUpdateStateSrv.Response:
        response.update_state = self.state
        return response

    # -- progress
    def _publish_progress(self) -> None:
        from updates.updater import read_status

        status = read_status(self._prefix())
        key = (status.get("state"), status.get("pct"), status.get("updated_at"))
        running = status.get("state") in RUNNING_STATES
        now = time.monotonic()
        if key == self._last_status and not (running and now - self._last_publish >= 2.0):
            return
        first = self._last_status is None
        self._last_status = key
        if first and not running:
            return  # an old outcome: nothing to announce at start
        with self._lock:
            if running:
                self.state = UPDATE_IN_PROGRESS
            elif self.state in (UPDATE_PENDING, UPDATE_IN_PROGRESS):
                self.state = UP_TO_DATE if status.get("state") == "complete" else UPDATE_AVAILABLE
        msg = SoftwareUpdatePctMsg()
        msg.update_pct = float(status.get("pct", 0.0))
        msg.status = str(status.get("state", "unknown"))
        self.pct_pub.publish(msg)
        self._last_publish = now


def main(args: Any = None) -> None:
    from node_host.host import run_nodes

    run_nodes([SoftwareUpdateNode], args=args)


if __name__ == "__main__":
    main()
