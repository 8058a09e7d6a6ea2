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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepracer_interfaces_pkg.msg import USBFileSystemNotificationMsg
from deepracer_interfaces_pkg.srv import USBFileSystemSubscribeSrv, USBMountPointManagerSrv
from node_host.ros_helpers import create_deferred_service, offload, read_parameters
from rclpy.node import Node
from rclpy.task import Future

from runtime.steps import wait_for
from usb_monitor_pkg.led_client import RosLedClient
from usb_wifi_provisioner.drive_queue import Notification, UsbEngine
from usb_wifi_provisioner.ipc import BridgeClient
from usb_wifi_provisioner.leds import CallableLeds, NullLeds
from usb_wifi_provisioner.provision import Provisioner
from usb_wifi_provisioner.settings import ProvisionerSettings

ROS_OWNER = "ros"
MODES = ("auto", "bridge", "embedded")


@dataclass(frozen=True)
class UsbMonitorParams:
    mode: str = "auto"              # "auto", "bridge" (the USB provisioner service) or "embedded"
    drives_dir: str = ""            # folder drives (simulated car); "" = udev drives
    reconnect_period: float = 2.0   # s between connection checks in bridge mode


class UsbMonitorNode(Node):
    """Socket round trips to the USB provisioner run on a worker thread (`offload`), never in a callback."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "usb_monitor_pkg")
        super().__init__("usb_monitor_node", **kwargs)
        self.params = read_parameters(self, UsbMonitorParams)
        self.settings = ProvisionerSettings.from_env()
        mode = self.params.mode or "auto"
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
        create_deferred_service(self, USBFileSystemSubscribeSrv, "/usb_monitor_pkg/usb_file_system_subscribe",
                                self._subscribe_cb)
        create_deferred_service(self, USBMountPointManagerSrv, "/usb_monitor_pkg/usb_mount_point_manager",
                                self._mount_point_cb)
        self._connecting = False

        if mode == "bridge" or (mode == "auto" and self._connect()) or not self._start_embedded():
            self.mode = "bridge"
            if self.client is None:
                self._connect()
            self.create_timer(self.params.reconnect_period or 2.0, self._keep_connected)
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
        if self._connecting:
            return
        self._connecting = True

        def done(_future: Future[None]) -> None:
            self._connecting = False

        offload(self, self._check_connection).add_done_callback(done)

    def _check_connection(self) -> None:
        """On a worker thread: connect again if needed, and tell the service whether LEDs come here."""
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
        drives_dir = self.params.drives_dir
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

    def _subscribe(self, entry: tuple[str, str, bool]) -> int:
        """On a worker thread: the engine's or the provisioner service's answer (0 when not connected yet:
        the subscription is kept and sent when the connection is made)."""
        try:
            if self.engine is not None:
                return self.engine.subscribe(*entry, owner=ROS_OWNER)
            if self.client is not None and self.client.connected:
                return self.client.subscribe(*entry)
        except (OSError, TimeoutError) as exc:
            self.get_logger().warning(f"usb_file_system_subscribe: {exc}")
        return 0

    async def _subscribe_cb(self, request: USBFileSystemSubscribeSrv.Request,
                            response: USBFileSystemSubscribeSrv.Response) -> USBFileSystemSubscribeSrv.Response:
        entry = (str(request.file_name), str(request.callback_name), bool(request.verify_name_exists))
        with self._lock:
            if entry not in self._subs:
                self._subs.append(entry)
        response.error = int(await wait_for(offload(self, lambda: self._subscribe(entry))) or 0)
        return response

    def _mount_point(self, node_name: str, action: int) -> int:
        """On a worker thread: 1 when nobody can answer."""
        try:
            if self.engine is not None:
                return self.engine.mount_point_manager(node_name, action, ROS_OWNER)
            if self.client is not None and self.client.connected:
                return self.client.mount_point(node_name, action)
        except (OSError, TimeoutError) as exc:
            self.get_logger().warning(f"usb_mount_point_manager: {exc}")
        return 1

    async def _mount_point_cb(self, request: USBMountPointManagerSrv.Request,
                              response: USBMountPointManagerSrv.Response) -> USBMountPointManagerSrv.Response:
        node_name, action = str(request.node_name), int(request.action)
        response.error = int(await wait_for(offload(self, lambda: self._mount_point(node_name, action))) or 0)
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
