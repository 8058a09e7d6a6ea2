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


def test_node_sets_up_the_gadget_and_removes_it_at_stop(ros_node, start_node, sysfs_root, state_dir):
    """With configfs and a device controller: the gadget is created and bound at start, the link is
    the controller's `state`, and the gadget is gone once the node has stopped."""
    from deepracer_interfaces_pkg.srv import OTGLinkStateSrv

    from tests.support.fake_sysfs import make_usb_gadget_tree

    udc = make_usb_gadget_tree(sysfs_root)
    node = start_node("deepracer_systems_pkg.otg_control_node", ros_args=["-p", "poll_period:=0.1"],
                      env={"DEEPRACER_SYSFS_ROOT": str(sysfs_root), "DEEPRACER_STATE_DIR": str(state_dir)})
    name = "/deepracer_systems_pkg/get_otg_link_state"
    assert ros_node.call(OTGLinkStateSrv, name, timeout=30).link_state is False
    gadget = sysfs_root / "kernel/config/usb_gadget/deepracer"
    assert (gadget / "UDC").read_text().strip() == "dwc3.0.auto"
    (udc / "state").write_text("configured\n")
    wait_until(lambda: ros_node.call(OTGLinkStateSrv, name).link_state is True, timeout=10, what="link up")
    (udc / "state").write_text("not attached\n")
    wait_until(lambda: ros_node.call(OTGLinkStateSrv, name).link_state is False, timeout=10, what="link down")
    assert node.stop() == 0
    assert not gadget.exists()
    assert "USB network gadget bound to dwc3.0.auto" in node.log_text()
