"""bag_log_node: records the autonomous runs into rosbag2 bags (see README.md).

Thin adapter over `recording.recorder.Recorder`: topics are subscribed by the type the graph
announces for them, with raw (CDR) delivery, so any message type is recorded as published and
nothing is deserialised on the way. `/logging_pkg/stop_logging` (std_srvs/Trigger) answers once the
bag is complete on disk (a deferred service: the executor runs other callbacks meanwhile, and the
answer leaves when the writer thread has closed the bag).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from node_host.ros_helpers import create_deferred_service, log_at
from rclpy.client import Client
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from rclpy.task import Future
from std_msgs.msg import String
from std_srvs.srv import Trigger

from recording.config import (
    FILE_NAME_TOPIC,
    LOG_TOPICS,
    MIN_FREE_MB,
    MONITOR_TOPIC,
    MONITOR_TOPIC_TIMEOUT_S,
    PAUSE_AFTER_STOP_S,
    USB_LOGS_FOLDER,
    ConfigError,
    default_output_path,
    logging_conf_file,
    parse_mode,
    parse_provider,
    read_logging_conf,
)
from recording.recorder import Recorder
from recording.recovery import recover_all
from runtime.paths import state_dir
from runtime.steps import wait_for

USB_SUBSCRIBE = "/usb_monitor_pkg/usb_file_system_subscribe"
USB_NOTIFICATION = "/usb_monitor_pkg/usb_file_system_notification"
USB_MOUNT_MANAGER = "/usb_monitor_pkg/usb_mount_point_manager"
CALLBACK_NAME = "bag_log_node"


def message_class(type_name: str) -> Any:
    pkg, sub, name = type_name.split("/")
    return getattr(importlib.import_module(f"{pkg}.{sub}"), name)


class BagLogNode(Node):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "logging_pkg")
        super().__init__("bag_log_node", **kwargs)
        conf, notes = read_logging_conf()
        for note in notes:
            self.get_logger().warning(f"logging.conf: {note}")
        self._default_output = str(self.declare_parameter("output_path", str(default_output_path())).value)
        mode = parse_mode(str(self.declare_parameter("logging_mode", conf.mode).value))
        provider = parse_provider(str(self.declare_parameter("logging_provider", conf.provider).value))
        self.monitor_topic = str(self.declare_parameter("monitor_topic", MONITOR_TOPIC).value)
        timeout = float(self.declare_parameter("monitor_topic_timeout", int(MONITOR_TOPIC_TIMEOUT_S)).value)
        self.file_name_topic = str(self.declare_parameter("file_name_topic", FILE_NAME_TOPIC).value)
        topics: list[Any] = list(self.declare_parameter("log_topics", list(LOG_TOPICS)).value or [])
        self.log_topics = [str(t) for t in topics]
        min_free = float(self.declare_parameter("min_free_mb", MIN_FREE_MB).value)
        self._conf_mtime = self._mtime()
        output = Path(self._default_output)
        for note in recover_all(output):
            self.get_logger().warning(note)
        self.recorder = Recorder(output, provider, mode, timeout_s=timeout, pause_s=PAUSE_AFTER_STOP_S,
                                 min_free_mb=min_free, log=self._log,
                                 status_file=state_dir() / "run" / "recorder.json")
        self._subscribed: set[str] = set()
        self._usb: tuple[str, str] | None = None      # (mount point, device node) while bags go to a stick
        self.create_subscription(String, self.file_name_topic, self._on_model,
                                 QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                                            durability=DurabilityPolicy.TRANSIENT_LOCAL))
        create_deferred_service(self, Trigger, "/logging_pkg/stop_logging", self._stop_logging)
        self._usb_setup()
        self.create_timer(1.0, self._tick)
        self._discover()
        self.get_logger().info(f"bag_log_node: mode {mode}, provider {provider}, bags in {output}, "
                               f"recording {', '.join(self.log_topics)} while {self.monitor_topic} flows")

    def _log(self, level: str, message: str) -> None:
        log_at(self, level, message)

    # -- subscriptions by the type the graph announces -----------------------------------------
    def _discover(self) -> None:
        wanted = [t for t in [self.monitor_topic, *self.log_topics] if t not in self._subscribed]
        if not wanted:
            return
        known = dict(self.get_topic_names_and_types())
        for topic in wanted:
            types = known.get(topic)
            if not types:
                continue
            type_name = types[0]
            try:
                cls = message_class(type_name)
            except (ImportError, AttributeError, ValueError) as exc:
                self.get_logger().error(f"cannot record {topic}: type {type_name} not importable ({exc})")
                self._subscribed.add(topic)
                continue
            qos = QoSProfile(depth=10, reliability=ReliabilityPolicy.BEST_EFFORT)
            if topic == self.monitor_topic:
                self.create_subscription(cls, topic, self._on_monitor, QoSProfile(
                    depth=1, reliability=ReliabilityPolicy.BEST_EFFORT), raw=True)
            if topic in self.log_topics:
                self.create_subscription(cls, topic, self._logger_for(topic, type_name), qos, raw=True)
            self._subscribed.add(topic)
            self.get_logger().info(f"subscribed to {topic} ({type_name})")

    def _logger_for(self, topic: str, type_name: str) -> Any:
        message = self.recorder.message

        def on_message(data: bytes) -> None:
            message(topic, type_name, data)

        return on_message

    def _on_monitor(self, _data: bytes) -> None:
        self.recorder.monitor_message()

    def _on_model(self, msg: Any) -> None:
        self.recorder.model_changed(str(msg.data))

    # -- once a second -------------------------------------------------------------------------
    def _tick(self) -> None:
        self._discover()
        self._reload_conf()
        self._check_usb()
        self.recorder.tick()

    def _mtime(self) -> float:
        try:
            return os.stat(logging_conf_file()).st_mtime
        except OSError:
            return 0.0

    def _reload_conf(self) -> None:
        mtime = self._mtime()
        if mtime == self._conf_mtime:
            return
        self._conf_mtime = mtime
        conf, notes = read_logging_conf()
        for note in notes:
            self.get_logger().warning(f"logging.conf: {note}")
        try:
            mode, provider = parse_mode(conf.mode), parse_provider(conf.provider)
        except ConfigError as exc:
            self.get_logger().error(str(exc))
            return
        self.set_parameters([Parameter("logging_mode", value=mode), Parameter("logging_provider", value=provider)])
        self.recorder.configure(mode, provider)
        self.get_logger().info(f"logging.conf changed: mode {mode}, provider {provider}")

    # -- stop_logging --------------------------------------------------------------------------
    async def _stop_logging(self, request: Any, response: Any) -> Any:
        # completed by the writer thread; its done callbacks (the rest of this handler) run on the executor
        finished: Future[tuple[bool, str]] = Future(executor=self.executor)

        def done(success: bool, message: str) -> None:
            finished.set_result((success, message))

        self.recorder.stop(done)
        success, message = await wait_for(finished)
        response.success = bool(success)
        response.message = message
        self.get_logger().info(f"stop_logging: {message}")
        return response

    # -- a USB stick with a logs/ folder -------------------------------------------------------
    def _usb_setup(self) -> None:
        from deepracer_interfaces_pkg.msg import USBFileSystemNotificationMsg
        from deepracer_interfaces_pkg.srv import USBFileSystemSubscribeSrv, USBMountPointManagerSrv

        self._usb_subscribe: Client[Any, Any] = self.create_client(USBFileSystemSubscribeSrv, USB_SUBSCRIBE)
        self._usb_mount: Client[Any, Any] = self.create_client(USBMountPointManagerSrv, USB_MOUNT_MANAGER)
        self._usb_subscribed = False
        self.create_subscription(USBFileSystemNotificationMsg, USB_NOTIFICATION, self._on_usb,
                                 QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE))

    def _check_usb(self) -> None:
        from deepracer_interfaces_pkg.srv import USBFileSystemSubscribeSrv

        if not self._usb_subscribed and self._usb_subscribe.service_is_ready():
            self._usb_subscribed = True
            self._usb_subscribe.call_async(USBFileSystemSubscribeSrv.Request(
                file_name=USB_LOGS_FOLDER, callback_name=CALLBACK_NAME, verify_name_exists=True))
        if self._usb is not None and not (Path(self._usb[0]) / USB_LOGS_FOLDER).is_dir():
            self.get_logger().info(f"the USB stick at {self._usb[0]} is gone")
            self._release_usb()

    def _on_usb(self, msg: Any) -> None:
        if msg.callback_name != CALLBACK_NAME or msg.file_name != USB_LOGS_FOLDER:
            return
        if self._usb is not None:
            self._mount_action(str(msg.node_name), 0)     # one stick at a time: give this one back
            return
        logs = Path(msg.path) / USB_LOGS_FOLDER
        self._usb = (str(msg.path), str(msg.node_name))
        for note in recover_all(logs):
            self.get_logger().warning(note)
        self.recorder.set_output(logs, on_usb=True)
        self.set_parameters([Parameter("output_path", value=str(logs))])

    def _release_usb(self) -> None:
        if self._usb is None:
            return
        _mount, node_name = self._usb
        self._usb = None
        self.recorder.set_output(Path(self._default_output), on_usb=False)
        self.set_parameters([Parameter("output_path", value=self._default_output)])
        self._mount_action(node_name, 0)

    def _mount_action(self, node_name: str, action: int) -> None:
        from deepracer_interfaces_pkg.srv import USBMountPointManagerSrv

        if self._usb_mount.service_is_ready():
            self._usb_mount.call_async(USBMountPointManagerSrv.Request(node_name=node_name, action=action))

    def on_shutdown(self) -> None:
        self.recorder.close()


def main(args: Any = None) -> None:
    from node_host.host import run_nodes

    run_nodes([BagLogNode], args=args)


if __name__ == "__main__":
    main()
