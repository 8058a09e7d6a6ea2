"""software_update_node: compatible answers (UP_TO_DATE without an update source, UPDATE_AVAILABLE
when the source holds a newer VERSION), begin_update never installs, power LED solid blue at start."""

from __future__ import annotations

import pytest
from deepracer_systems_pkg.system_checks import (
    UNKNOWN,
    UP_TO_DATE,
    UPDATE_AVAILABLE,
    check_update,
)

from tests.support.ros import wait_until
from tests.usb.ros_support import LedRecorder

pytestmark = pytest.mark.ros


def test_check_update_rules(tmp_path):
    assert check_update("", "0.1.0") == UP_TO_DATE
    assert check_update(str(tmp_path / "missing"), "0.1.0") == UNKNOWN
    (tmp_path / "VERSION").write_text("0.2.0\n")
    assert check_update(str(tmp_path), "0.1.0") == UPDATE_AVAILABLE
    assert check_update(str(tmp_path), "0.2.0") == UP_TO_DATE
    assert check_update(str(tmp_path), "0.10.0") == UP_TO_DATE     # numeric, not text, comparison


def test_services_and_power_led(ros_node, start_node, tmp_path):
    from deepracer_interfaces_pkg.srv import (
        BeginSoftwareUpdateSrv,
        SoftwareUpdateCheckSrv,
        SoftwareUpdateStateSrv,
    )

    leds = LedRecorder(ros_node)
    (tmp_path / "VERSION").write_text("999.0.0\n")
    node = start_node("deepracer_systems_pkg.software_update_node")
    check = ros_node.call(SoftwareUpdateCheckSrv, "/deepracer_systems_pkg/software_update_check", timeout=30)
    assert check.software_update_state == UP_TO_DATE
    state = ros_node.call(SoftwareUpdateStateSrv, "/deepracer_systems_pkg/software_update_state")
    assert state.update_state == UP_TO_DATE
    assert ros_node.call(BeginSoftwareUpdateSrv, "/deepracer_systems_pkg/begin_update").response_status is False
    wait_until(lambda: ("solid", 2, "blue", 0.0) in leds.snapshot(), timeout=10, what="the power LED ready")

    # with an update source holding a newer version
    from rcl_interfaces.srv import SetParameters
    from rclpy.parameter import Parameter

    request = SetParameters.Request()
    request.parameters = [Parameter("update_source", value=str(tmp_path)).to_parameter_msg()]
    ros_node.call(SetParameters, "/deepracer_systems_pkg/software_update_node/set_parameters", request)
    check = ros_node.call(SoftwareUpdateCheckSrv, "/deepracer_systems_pkg/software_update_check")
    assert check.software_update_state == UPDATE_AVAILABLE
    assert ros_node.call(BeginSoftwareUpdateSrv, "/deepracer_systems_pkg/begin_update").response_status is False
    assert "sudo deepracer install" in node.log_text()
