"""`python -m tests.actuation.core_host`: servo_node and ctrl_node in one process, as the launcher's
"core" process hosts them (the other core nodes are not needed by the ctrl tests)."""

from __future__ import annotations


def main() -> None:
    import sys

    from ctrl_pkg.ctrl_node import CtrlNode
    from node_host.host import run_nodes
    from servo_pkg.servo_node import ServoNode

    sys.exit(run_nodes([ServoNode, CtrlNode]))


if __name__ == "__main__":
    main()
