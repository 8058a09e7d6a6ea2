"""A host process for test_servo_shutdown: the servo node plus a node whose service raises.

`python -m tests.actuation.crash_host` runs both through the real `run_nodes` host; calling
/crash_test/crash raises inside a callback, which must end the process with the outputs made safe.
"""

from __future__ import annotations

from typing import Any

from rclpy.node import Node
from std_srvs.srv import Trigger


class CrashingNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "crash_test")
        super().__init__("crashing_node", **kwargs)
        self.create_service(Trigger, "/crash_test/crash", self._crash)

    def _crash(self, request: Any, response: Any) -> Any:
        raise RuntimeError("injected failure in a callback")


def main() -> None:
    import sys

    from node_host.host import run_nodes
    from servo_pkg.servo_node import ServoNode

    sys.exit(run_nodes([ServoNode, CrashingNode]))


if __name__ == "__main__":
    main()
