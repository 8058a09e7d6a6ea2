"""usb_monitor_node: the original USB monitor API on the ROS graph.

USB drives belong to the USB provisioner service (`python -m usb_wifi_provisioner`, its own systemd
unit), which keeps working when the robot stack does not. This node is its ROS face:

- mode "bridge" (the service runs): subscriptions and mount-point calls are forwarded over the
  service's local socket, its notifications are published here, and its LED effects are played
  through the status_led node so that only one process drives the LEDs;
- mode "embedded" (no service found): the node runs the same engine itself — pyudev on a car,
  folder drives under `<sim_dir>/usb/` on the simulated car (Wi-Fi set-up off there);
- "auto" (default) picks bridge when the service's socket answers, else embedded.

See README.md for topics, services and parameters.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from deepracer_interfaces_pkg.msg import USBFileSystemNotificationMsg
from deepracer_interfaces_pkg.srv import USBFileSystemSubscribeSrv, USBMountPointManagerSrv
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup
from rclpy.node import Node

from usb_monitor_pkg.led_client import RosLedClient
from usb_wifi_provisioner.drive_queue import Notification, UsbEngine
from usb_wifi_provisioner.ipc import BridgeClient
from usb_wifi_provisioner.leds import CallableLeds, NullLeds
from usb_wifi_provisioner.provision import Provisioner
from usb_wifi_provisioner.settings import ProvisionerSettings

ROS_OWNER = "ros"
MODES = ("auto", "bridge", "embedded")


class UsbMonitorNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "usb_monitor_pkg")
        super().__init__("usb_monitor_node", **kwargs)
        self.declare_parameter("mode", "auto")
        self.declare_parameter("drives_dir", "")
        self.declare_parameter("reconnect_period", 2.0)
        self.settings = ProvisionerSettings.from_env()
        mode = self.get_parameter("mode").get_parameter_value().string_value or "auto"
        if mode not in MODES:
            raise ValueError(f"parameter mode must be one of {', '.join(MODES)}, not {mode!r}")

        self._subs: list[tuple[str, str, bool]] = []
        self._lock = threading.Lock()
        self.engine: UsbEngine | None = None
        self.source: Any = None
        self.client: BridgeClient | None = None
        self._owner_lock: Any = None
        self.leds = RosLedClient(self)

        self.notification_pub = self.create_publisher(USBFileSystemNotificationMsg,
                                                      "/usb_monitor_pkg/usb_file_system_notification", 10)
        group = ReentrantCallbackGroup()
        self.create_service(USBFileSystemSubscribeSrv, "/usb_monitor_pkg/usb_file_system_subscribe",
                            self._subscribe_cb, callback_group=group)
        self.create_service(USBMountPointManagerSrv, "/usb_monitor_pkg/usb_mount_point_manager",
                            self._mount_point_cb, callback_group=group)

        if mode == "bridge" or (mode == "auto" and self._connect()) or not self._start_embedded():
            self.mode = "bridge"
            if self.client is None:
                self._connect()
            period = self.get_parameter("reconnect_period").get_parameter_value().double_value or 2.0
            self.create_timer(period, self._keep_connected, callback_group=MutuallyExclusiveCallbackGroup())
        else:
            self.mode = "embedded"
        self.get_logger().info(f"usb_monitor_node started ({self.mode} mode, run folder {self.settings.run_dir})")

    # -- bridge mode -------------------------------------------------------------------------
    def _connect(self) -> bool:
        client = BridgeClient(self.settings.socket_path, self._on_bridge_notification, on_led=self._on_bridge_led,
                              leds_ready=self.leds.available())
        try:
            client.connect()
        except OSError:
            return False
        self.client = client
        with self._lock:
            subs = list(self._subs)
        try:
            for file_name, callback_name, verify in subs:
                client.subscribe(file_name, callback_name, verify)
        except (OSError, TimeoutError) as exc:
            self.get_logger().warning(f"re-subscribing with the USB provisioner failed: {exc}")
        return True

    def _keep_connected(self) -> None:
        if self.client is None or not self.client.connected:
            if self._connect():
                self.get_logger().info("connected to the USB provisioner")
            return
        # LED effects come here only while the status_led services answer; else the service
        # drives the LEDs itself
        ready = self.leds.available()
        if ready != self.client.leds_ready:
            try:
                self.client.hello(ready)
            except OSError:
                pass

    def _on_bridge_notification(self, msg: dict[str, Any]) -> None:
        self._publish(Notification(str(msg.get("path", "")), str(msg.get("file_name", "")),
                                   str(msg.get("callback_name", "")), str(msg.get("node_name", ""))))

    def _on_bridge_led(self, msg: dict[str, Any]) -> None:
        if msg.get("kind") == "blink":
            self.leds.blink(int(msg["led_index"]), str(msg["color1"]), str(msg["color2"]), float(msg["delay"]))
        elif msg.get("kind") == "solid":
            self.leds.solid(int(msg["led_index"]), str(msg["color"]), float(msg["hold"]))

    # -- embedded mode -----------------------------------------------------------------------
    def _start_embedded(self) -> bool:
        """Run the engine in this process; False when another process owns the drives."""
        from runtime.paths import hardware_mode, sim_dir
        from usb_wifi_provisioner.daemon import OwnerLock
        from usb_wifi_provisioner.drives import FolderDriveSource, UdevDriveSource
        from usb_wifi_provisioner.mounts import FolderMounter, Mounter, SystemMounter

        self.settings.run_dir.mkdir(parents=True, exist_ok=True)
        lock = OwnerLock(self.settings.lock_path)
        if not lock.acquire(blocking=False):
            self.get_logger().info("the USB provisioner owns the drives; waiting for its socket")
            return False
        self._owner_lock = lock
        drives_dir = self.get_parameter("drives_dir").get_parameter_value().string_value
        sim = hardware_mode() == "sim"
        if sim and not drives_dir:
            drives_dir = str(sim_dir() / "usb")
        leds = CallableLeds(self.leds.blink, self.leds.solid)
        provisioner = Provisioner(leds=leds if not sim else NullLeds(), artifacts_dir=self.settings.artifacts_dir,
                                  wifi=not sim)
        mounter: Mounter = FolderMounter() if drives_dir else SystemMounter(self.settings.mount_root)
        if isinstance(mounter, SystemMounter):
            mounter.prepare()
        self.engine = UsbEngine(mounter, provisioner, notify=lambda _owner, note: self._publish(note),
                                status_file=self.settings.status_path, max_hold_s=self.settings.max_hold_s)
        self.engine.start()
        if drives_dir:
            self.source = FolderDriveSource(Path(drives_dir), self.engine.drive_added, self.engine.drive_removed)
        else:
            self.source = UdevDriveSource(self.engine.drive_added, self.engine.drive_removed)
        self.source.start()
        return True

    # -- services ------------------------------------------------------------------------------
    def _publish(self, note: Notification) -> None:
        msg = USBFileSystemNotificationMsg()
        msg.path, msg.file_name, msg.callback_name, msg.node_name = (
            note.path, note.file_name, note.callback_name, note.node_name)
        self.notification_pub.publish(msg)
        self.get_logger().info(f"USB notification: {note.file_name} on {note.node_name} for {note.callback_name}")

    def _subscribe_cb(self, request: Any, response: Any) -> Any:
        entry = (str(request.file_name), str(request.callback_name), bool(request.verify_name_exists))
        with self._lock:
            if entry not in self._subs:
                self._subs.append(entry)
        response.error = 0
        try:
            if self.engine is not None:
                response.error = self.engine.subscribe(*entry, owner=ROS_OWNER)
            elif self.client is not None and self.client.connected:
                response.error = self.client.subscribe(*entry)
            # not connected yet: kept, sent when the connection is made
        except (OSError, TimeoutError) as exc:
            self.get_logger().warning(f"usb_file_system_subscribe: {exc}")
        return response

    def _mount_point_cb(self, request: Any, response: Any) -> Any:
        response.error = 1
        try:
            if self.engine is not None:
                response.error = self.engine.mount_point_manager(str(request.node_name), int(request.action),
                                                                 ROS_OWNER)
            elif self.client is not None and self.client.connected:
                response.error = self.client.mount_point(str(request.node_name), int(request.action))
        except (OSError, TimeoutError) as exc:
            self.get_logger().warning(f"usb_mount_point_manager: {exc}")
        return response

    def on_shutdown(self) -> None:
        if self.source is not None:
            self.source.stop()
        if self.engine is not None:
            self.engine.stop()
        if self.client is not None:
            self.client.close()
        if self._owner_lock is not None:
            self._owner_lock.release()
        self.leds.close()


def main(args: Any = None) -> None:
    from node_host.host import run_nodes

    run_nodes([UsbMonitorNode], args=args)


if __name__ == "__main__":
    main()
