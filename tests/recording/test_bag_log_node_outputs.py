"""Where bag_log_node writes, in its own process: a USB stick with a `logs/` folder (announced by the
USB monitor's file-system notification, as usb_monitor_pkg sends it) takes the bags while it is
mounted, and the car's folder takes them again once it is gone; below the free-space floor nothing is
recorded and the recorder says why (what the console shows)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.support.ros import RosTestNode, wait_until


def bags(output: Path) -> list[Path]:
    return sorted(p for p in output.iterdir() if p.is_dir()) if output.exists() else []


def recorder_status(state: Path) -> dict[str, Any]:
    path = state / "run" / "recorder.json"
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return {}


class FakeUsbMonitor:
    """The two services of usb_monitor_pkg the recorder uses, on the test's node."""

    def __init__(self, ros: RosTestNode) -> None:
        from deepracer_interfaces_pkg.msg import USBFileSystemNotificationMsg
        from deepracer_interfaces_pkg.srv import USBFileSystemSubscribeSrv, USBMountPointManagerSrv
        from rclpy.qos import QoSProfile, ReliabilityPolicy

        self.subscriptions: list[Any] = []
        self.mount_actions: list[tuple[str, int]] = []
        ros.node.create_service(USBFileSystemSubscribeSrv, "/usb_monitor_pkg/usb_file_system_subscribe",
                                self._subscribe)
        ros.node.create_service(USBMountPointManagerSrv, "/usb_monitor_pkg/usb_mount_point_manager", self._mount)
        self.notify = ros.node.create_publisher(USBFileSystemNotificationMsg,
                                                "/usb_monitor_pkg/usb_file_system_notification",
                                                QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE))

    def _subscribe(self, request: Any, response: Any) -> Any:
        self.subscriptions.append(request)
        response.error = 0
        return response

    def _mount(self, request: Any, response: Any) -> Any:
        self.mount_actions.append((request.node_name, int(request.action)))
        response.error = 0
        return response

    def stick_found(self, mount: Path, node_name: str) -> None:
        from deepracer_interfaces_pkg.msg import USBFileSystemNotificationMsg

        sub = self.subscriptions[-1]
        self.notify.publish(USBFileSystemNotificationMsg(path=str(mount), file_name=sub.file_name,
                                                         callback_name=sub.callback_name, node_name=node_name))


def test_bags_go_to_a_usb_stick_with_a_logs_folder_while_it_is_there(tmp_path: Path, start_node,
                                                                     ros_node: RosTestNode) -> None:
    from deepracer_interfaces_pkg.msg import ServoCtrlMsg

    state, output, stick = tmp_path / "state", tmp_path / "bags", tmp_path / "media" / "sda1"
    state.mkdir()
    (stick / "logs").mkdir(parents=True)
    usb = FakeUsbMonitor(ros_node)
    node = start_node("logging_pkg.bag_log_node", env={"DEEPRACER_STATE_DIR": str(state)},
                      ros_args=["-p", f"output_path:={output}", "-p", "monitor_topic_timeout:=1",
                                "-p", "min_free_mb:=1", "-p", "log_topics:=['/device_info_pkg/device_status']"])
    drive = ros_node.node.create_publisher(ServoCtrlMsg, "/deepracer_navigation_pkg/auto_drive", 1)

    # the recorder asks the USB monitor for sticks with a logs/ folder, as the community node does
    wait_until(lambda: usb.subscriptions, 30, "the recorder's USB subscription")
    assert usb.subscriptions[0].file_name == "logs" and usb.subscriptions[0].verify_name_exists is True

    def recording_into(folder: Path) -> Path | None:
        drive.publish(ServoCtrlMsg(angle=0.0, throttle=0.3))
        status = recorder_status(state)
        found = bags(folder)
        return found[-1] if found and status.get("status") == "recording" else None

    # live first: with no stick the bags go to the car's folder
    first = wait_until(lambda: recording_into(output), 30, "a bag in the car's folder")
    wait_until(lambda: (first / "metadata.yaml").exists(), 15, "the first bag to close when auto_drive stops")

    usb.stick_found(stick, "/dev/sda1")
    wait_until(lambda: recorder_status(state).get("on_usb") is True, 10, "the recorder to take the stick")
    assert recorder_status(state)["output_path"] == str(stick / "logs")
    on_stick = wait_until(lambda: recording_into(stick / "logs"), 15, "a bag on the USB stick")
    assert bags(output) == [first]                       # nothing more in the car's folder meanwhile

    # the stick goes (its logs/ folder with it): the bag there is closed, the car's folder is back,
    # and the USB monitor is told to let go of the stick
    shutil.copytree(on_stick, tmp_path / "kept", dirs_exist_ok=True)
    shutil.rmtree(stick / "logs")
    wait_until(lambda: recorder_status(state).get("on_usb") is False, 10, "the recorder to give the stick up")
    assert recorder_status(state)["output_path"] == str(output)
    wait_until(lambda: ("/dev/sda1", 0) in usb.mount_actions, 10, "the stick handed back to the USB monitor")
    second = wait_until(lambda: (b := recording_into(output)) is not None and b != first and b, 15,
                        "a new bag in the car's folder after the stick went")
    assert second.parent == output and node.proc.poll() is None


def test_below_the_free_space_floor_nothing_is_recorded_and_the_recorder_says_so(
        tmp_path: Path, start_node, ros_node: RosTestNode) -> None:
    from deepracer_interfaces_pkg.msg import ServoCtrlMsg

    state, output = tmp_path / "state", tmp_path / "bags"
    state.mkdir()
    free_mb = shutil.disk_usage(tmp_path).free / (1024 * 1024)
    floor = int(free_mb * 4) + 1024                      # more than this disk will ever have free
    node = start_node("logging_pkg.bag_log_node", env={"DEEPRACER_STATE_DIR": str(state)},
                      ros_args=["-p", f"output_path:={output}", "-p", f"min_free_mb:={floor}"])
    drive = ros_node.node.create_publisher(ServoCtrlMsg, "/deepracer_navigation_pkg/auto_drive", 1)

    def refused() -> dict[str, Any] | None:
        drive.publish(ServoCtrlMsg(angle=0.0, throttle=0.3))
        status = recorder_status(state)
        return status if status.get("status") == "disk_low" else None

    # auto_drive flows, the recorder runs (it reports) and records nothing for the disk's sake
    status = wait_until(refused, 30, "the recorder to report the free-space floor")
    assert status["disk_low"] is True and status["min_free_mb"] == floor and status["bag"] == ""
    assert status["why_not"] == "not enough free disk space"
    assert bags(output) == []
    wait_until(lambda: f"less than {float(floor):g} MB free" in node.log_text(), 10, "the recorder's log line")
    assert "recording stops" in node.log_text()
