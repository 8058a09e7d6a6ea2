"""usb_monitor_node without a provisioner service on the simulated car (embedded mode): folders in
<sim_dir>/usb are drives; models are imported, Wi-Fi set-up is off, subscribers are notified."""

from __future__ import annotations

import pytest

from inference.models import list_models
from tests.support.ros import wait_until
from tests.usb.conftest import tiny_model_archive

pytestmark = pytest.mark.ros


def test_sim_drive_imports_models_and_never_touches_wifi(ros_node, start_node, state_dir, fake_nm, tmp_path):
    from deepracer_interfaces_pkg.msg import USBFileSystemNotificationMsg
    from deepracer_interfaces_pkg.srv import USBFileSystemSubscribeSrv, USBMountPointManagerSrv

    env = {**fake_nm.env(), "DEEPRACER_HARDWARE": "sim", "DEEPRACER_STATE_DIR": str(state_dir),
           "DEEPRACER_USB_RUN_DIR": str(tmp_path / "run")}
    node = start_node("usb_monitor_pkg.usb_monitor_node", env=env)
    notes = ros_node.collect(USBFileSystemNotificationMsg, "/usb_monitor_pkg/usb_file_system_notification", 10)
    wait_until(lambda: "embedded mode" in node.log_text() or node.proc.poll() is not None, timeout=30,
               what="the node to start")
    assert node.proc.poll() is None, node.log_text()
    request = USBFileSystemSubscribeSrv.Request()
    request.file_name, request.callback_name, request.verify_name_exists = "logs", "bag_logs", False
    assert ros_node.call(USBFileSystemSubscribeSrv, "/usb_monitor_pkg/usb_file_system_subscribe", request).error == 0

    staging = tmp_path / "stick"
    tiny_model_archive(staging / "models" / "sim-lap.tar.gz")
    (staging / "wifi-creds.txt").write_text("ssid: 'Your-WiFi 100'\npassword: Passwd1234\n")
    usb = state_dir / "sim" / "usb"
    usb.mkdir(parents=True, exist_ok=True)
    staging.rename(usb / "stick")

    wait_until(lambda: notes, timeout=30, what="the notification for the logs subscriber")
    assert notes[0].file_name == "logs" and notes[0].node_name == str(usb / "stick")
    status = usb / "stick" / "device-status.txt"
    wait_until(lambda: status.exists() and "Model sim-lap" in status.read_text(), timeout=30,
               what="the model line in device-status.txt")
    text = status.read_text()
    assert 'Model sim-lap.tar.gz: installed as "sim-lap".' in text
    assert "Wi-Fi set-up is off here (simulated car)" in text
    assert fake_nm.connect_calls() == []
    assert [m.name for m in list_models(state_dir / "artifacts")] == ["sim-lap"]
    release = USBMountPointManagerSrv.Request()
    release.node_name, release.action = notes[0].node_name, 0
    assert ros_node.call(USBMountPointManagerSrv, "/usb_monitor_pkg/usb_mount_point_manager", release).error == 0
