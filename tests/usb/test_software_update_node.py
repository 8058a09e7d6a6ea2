"""software_update_node: the original's services over our updater. The package index decides the
state; begin_update starts a real `deepracer update --install` process, whose progress the node
publishes; here the restart fails on purpose, so the update ends rolled back on the previous release."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from deepracer_systems_pkg.system_checks import (
    UNKNOWN,
    UP_TO_DATE,
    UPDATE_AVAILABLE,
    check_update,
)

from tests.support.ros import wait_until
from tests.updates.bundles import make_bundle
from tests.usb.ros_support import LedRecorder

pytestmark = pytest.mark.ros


def test_check_update_rules(tmp_path: Path) -> None:
    index = tmp_path / "index"
    make_bundle(index, "0.2.0")
    assert check_update("", "0.1.0") == (UP_TO_DATE, None)
    assert check_update(str(tmp_path / "missing"), "0.1.0") == (UNKNOWN, None)
    state, offer = check_update(str(index), "0.1.0")
    assert state == UPDATE_AVAILABLE and offer is not None and offer.version == "0.2.0"
    assert check_update(str(index), "0.2.0") == (UP_TO_DATE, None)
    assert check_update(str(index), "0.10.0") == (UP_TO_DATE, None)     # numeric, not text, comparison


def test_services_progress_and_power_led(ros_node, start_node, tmp_path: Path) -> None:
    from deepracer_interfaces_pkg.msg import SoftwareUpdatePctMsg
    from deepracer_interfaces_pkg.srv import (
        BeginSoftwareUpdateSrv,
        SoftwareUpdateCheckSrv,
        SoftwareUpdateStateSrv,
    )

    from updates.updater import read_status

    leds = LedRecorder(ros_node)
    index = tmp_path / "index"
    make_bundle(index, "999.0.0")
    prefix = tmp_path / "opt"
    (prefix / "releases" / "0.1.0").mkdir(parents=True)  # the running release
    os.symlink("releases/0.1.0", prefix / "current")
    progress = ros_node.collect(SoftwareUpdatePctMsg, "/deepracer_systems_pkg/software_update_pct", 20)
    node = start_node("deepracer_systems_pkg.software_update_node",
                      ros_args=["-p", f"update_source:={index}", "-p", f"prefix:={prefix}", "-p", "status_period:=0.2"],
                      env={"DEEPRACER_RESTART_CMD": "false"})  # the restart fails: the update must roll back
    check = ros_node.call(SoftwareUpdateCheckSrv, "/deepracer_systems_pkg/software_update_check", timeout=30)
    assert check.software_update_state == UPDATE_AVAILABLE
    assert ros_node.call(BeginSoftwareUpdateSrv, "/deepracer_systems_pkg/begin_update").response_status is True
    wait_until(lambda: read_status(prefix).get("rolled_back") is True, 60, "the update rolled back")
    wait_until(lambda: progress and progress[-1].status == "unknown", 10, "the outcome published")
    statuses = [m.status for m in progress]
    assert "installing" in statuses, statuses
    assert os.readlink(prefix / "current") == "releases/0.1.0"
    assert (prefix / "releases" / "999.0.0").is_dir()  # built beside it, kept for a retry
    assert "false failed" in read_status(prefix)["error"]
    wait_until(lambda: ros_node.call(SoftwareUpdateStateSrv, "/deepracer_systems_pkg/software_update_state")
               .update_state == UPDATE_AVAILABLE, 10, "available again after the rollback")
    wait_until(lambda: ("solid", 2, "blue", 0.0) in leds.snapshot(), timeout=10, what="the power LED ready")
    assert "software update to 999.0.0 started" in node.log_text()
