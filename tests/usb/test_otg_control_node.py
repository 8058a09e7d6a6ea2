"""otg_control_node: get_otg_link_state follows the dwc3 link_state file under the sysfs root."""

from __future__ import annotations

import pytest

from tests.support.ros import wait_until

pytestmark = pytest.mark.ros


def test_link_state_follows_the_controller(ros_node, start_node, sysfs_root):
    from deepracer_interfaces_pkg.srv import OTGLinkStateSrv

    link = sysfs_root / "kernel" / "debug" / "dwc3.0.auto" / "link_state"
    link.parent.mkdir(parents=True)
    link.write_text("U0\n")
    start_node("deepracer_systems_pkg.otg_control_node", ros_args=["-p", "poll_period:=0.1"],
               env={"DEEPRACER_SYSFS_ROOT": str(sysfs_root)})
    name = "/deepracer_systems_pkg/get_otg_link_state"
    assert ros_node.call(OTGLinkStateSrv, name, timeout=30).link_state is True
    link.write_text("U3\n")     # cable pulled: suspended
    wait_until(lambda: ros_node.call(OTGLinkStateSrv, name).link_state is False, timeout=10, what="link down")
    link.unlink()               # no OTG controller at all (any x86 box)
    wait_until(lambda: ros_node.call(OTGLinkStateSrv, name).link_state is False, timeout=10, what="still down")
    link.write_text("U0\n")
    wait_until(lambda: ros_node.call(OTGLinkStateSrv, name).link_state is True, timeout=10, what="link up")
