"""`python -m tests.actuation.support_host`: status_led_node, battery_node, device_info_node and
device_status_node in one process, as the launcher's "core" process hosts them."""

from __future__ import annotations


def main() -> None:
    import sys

    from device_info_pkg.device_info_node import DeviceInfoNode
    from device_info_pkg.device_status_node import DeviceStatusNode
    from i2c_pkg.battery_node import BatteryNode
    from node_host.host import run_nodes
    from status_led_pkg.status_led_node import StatusLedNode

    sys.exit(run_nodes([StatusLedNode, BatteryNode, DeviceInfoNode, DeviceStatusNode]))


if __name__ == "__main__":
    main()
