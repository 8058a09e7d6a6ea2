"""The node graph of the car, declared once.

Node names, namespaces and parameters are those of the original `deepracer_launcher.py`, so
`/servo_pkg/servo_node` and every topic and service keep their original names. Processes group
light nodes (they share one interpreter and executor); heavy work (camera, inference, console)
runs in processes of its own so the GIL never couples them. The LiDAR shares the sensors process
with the camera and sensor fusion: its driver never blocks (bounded reads, watchdog) and its scans
feed sensor fusion without another hop, which saves a whole interpreter (~70 MB) of the budget.

Stop order is the reverse of `start_order`: the console and the sensors go first, the "core"
process (ctrl + servo) goes last so the actuators are set neutral after every command source
has stopped.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class NodeSpec:
    """One ROS node hosted by a process: `entry` is "module:Class"."""

    entry: str
    name: str
    namespace: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def fqn(self) -> str:
        return f"/{self.namespace}/{self.name}"


@dataclass(frozen=True)
class ProcessSpec:
    """One OS process of the graph.

    Either `nodes` hosted by `node_host.host`, or `command` (a module with its own main; its
    `nodes` then only name what it creates, for `deepracer status`).
    `required`: the stack is not healthy without it. `hardware`: what it needs on a real car; an
    optional process whose hardware is absent keeps running idle and is never fatal.
    `safe_stop`: "module:function" run by the supervisor whenever the process ends unexpectedly,
    so a crash can never leave an actuator driven.
    """

    name: str
    nodes: tuple[NodeSpec, ...] = ()
    command: tuple[str, ...] = ()
    required: bool = True
    hardware: tuple[str, ...] = ()
    description: str = ""
    env: dict[str, str] = field(default_factory=dict)
    safe_stop: str | None = None
    # "events": rclpy's EventsExecutor, the default: no callback of ours waits, and it costs the least
    # per message and while idle (see node_host.host); "single" / "multi": rclpy's classic executors.
    executor: str = "events"

    def argv(self, sim: bool, graph_source: str | None = None) -> list[str]:
        if self.command:
            return [sys.executable, "-u", "-m", *self.command]
        argv = [sys.executable, "-u", "-m", "node_host.host", "--process", self.name]
        if self.executor != "events":
            argv += ["--executor", self.executor]
        if sim:
            argv.append("--sim")
        if graph_source:
            argv += ["--graph", graph_source]
        return argv


@dataclass(frozen=True)
class Graph:
    """`source` names the "module:function" that built a non-default graph (tests, custom cars), so
    hosted processes rebuild the same graph; None means `launcher.graph:graph_for`."""

    processes: tuple[ProcessSpec, ...]
    sim: bool
    source: str | None = None

    def process(self, name: str) -> ProcessSpec:
        for proc in self.processes:
            if proc.name == name:
                return proc
        raise KeyError(f"no process named {name!r} in the graph (have: {', '.join(self.names())})")

    def names(self) -> list[str]:
        return [p.name for p in self.processes]

    def nodes(self) -> list[NodeSpec]:
        return [n for p in self.processes for n in p.nodes]

    def start_order(self) -> list[ProcessSpec]:
        return list(self.processes)

    def stop_order(self) -> list[ProcessSpec]:
        return list(reversed(self.processes))


def load_graph(source: str | None, sim: bool = False, **kwargs: Any) -> Graph:
    """Build the graph from "module:function" (default: this module's `graph_for`)."""
    if not source:
        return graph_for(sim=sim, **kwargs)
    import importlib

    module_name, _, func_name = source.partition(":")
    graph = getattr(importlib.import_module(module_name), func_name)(sim=sim)
    if graph.source != source:
        graph = Graph(processes=graph.processes, sim=graph.sim, source=source)
    return graph


def graph_for(sim: bool = False, console_port: int | None = None, https_port: int | None = None,
              sim_dir: Path | None = None, track: str = "loop", sim_fps: float = 15.0,
              sim_obstacles: int = 0, sim_stereo: bool = False) -> Graph:
    """The graph for the real car (`sim=False`) or the simulated car (`sim=True`)."""
    camera_params: dict[str, Any] = {"resize_images": True}
    lidar_params: dict[str, Any] = {
        "serial_port": "/dev/ttyUSB0",
        "serial_baudrate": 115200,
        "frame_id": "laser",
        "inverted": False,
        "angle_compensate": True,
    }
    if sim:
        from runtime.paths import sim_dir as default_sim_dir

        camera_params["source"] = "sim"
        lidar_params["serial_port"] = str((sim_dir or default_sim_dir()) / "dev" / "ttyUSB0")

    processes: list[ProcessSpec] = []
    # Start order: core first (servo neutral, ctrl), then sensors, inference, console.
    processes.append(ProcessSpec(
        name="core",
        description="control state machine, servo/ESC/tail light, status LEDs, battery, device info and status, "
                    "USB and systems",
        nodes=(
            NodeSpec("servo_pkg.servo_node:ServoNode", "servo_node", "servo_pkg"),
            NodeSpec("ctrl_pkg.ctrl_node:CtrlNode", "ctrl_node", "ctrl_pkg"),
            NodeSpec("status_led_pkg.status_led_node:StatusLedNode", "status_led_node", "status_led_pkg"),
            NodeSpec("i2c_pkg.battery_node:BatteryNode", "battery_node", "i2c_pkg"),
            NodeSpec("device_info_pkg.device_info_node:DeviceInfoNode", "device_info_node", "device_info_pkg"),
            NodeSpec("device_info_pkg.device_status_node:DeviceStatusNode", "device_status_node",
                     "device_info_pkg"),
            NodeSpec("usb_monitor_pkg.usb_monitor_node:UsbMonitorNode", "usb_monitor_node", "usb_monitor_pkg"),
            NodeSpec("deepracer_systems_pkg.network_monitor_node:NetworkMonitorNode", "network_monitor_node",
                     "deepracer_systems_pkg"),
            NodeSpec("deepracer_systems_pkg.model_loader_node:ModelLoaderNode", "model_loader_node",
                     "deepracer_systems_pkg"),
            NodeSpec("deepracer_systems_pkg.software_update_node:SoftwareUpdateNode", "software_update_node",
                     "deepracer_systems_pkg"),
            NodeSpec("deepracer_systems_pkg.otg_control_node:OtgControlNode", "otg_control_node",
                     "deepracer_systems_pkg"),
        ),
        hardware=("pwm", "gpio", "i2c"),
        safe_stop="drivers.pwm:make_outputs_safe",
    ))
    if sim:
        sim_cmd: tuple[str, ...] = ("sim.world", "--track", track, "--fps", f"{sim_fps:g}",
                                    "--obstacles", str(sim_obstacles)) + (("--stereo",) if sim_stereo else ())
        processes.insert(0, ProcessSpec(
            name="sim",
            description="the simulated car: physics, track, camera frames, RPLidar on a pty, battery",
            command=sim_cmd,
        ))
    processes.append(ProcessSpec(
        name="sensors",
        description="camera capture, RPLidar (optional: idles until one is plugged in) and sensor fusion",
        nodes=(
            NodeSpec("camera_pkg.camera_node:CameraNode", "camera_node", "camera_pkg", camera_params),
            NodeSpec("rplidar_ros.rplidar_node:RplidarNode", "rplidarNode", "rplidar_ros", lidar_params),
            NodeSpec("sensor_fusion_pkg.sensor_fusion_node:SensorFusionNode", "sensor_fusion_node",
                     "sensor_fusion_pkg"),
        ),
        hardware=("camera", "lidar"),
    ))
    processes.append(ProcessSpec(
        name="inference",
        description="model optimizer, OpenVINO inference and navigation (model output -> servo command)",
        nodes=(
            NodeSpec("model_optimizer_pkg.model_optimizer_node:ModelOptimizerNode", "model_optimizer_node",
                     "model_optimizer_pkg"),
            NodeSpec("inference_pkg.inference_node:InferenceNode", "inference_node", "inference_pkg"),
            NodeSpec("deepracer_navigation_pkg.deepracer_navigation_node:NavigationNode",
                     "deepracer_navigation_node", "deepracer_navigation_pkg"),
        ),
    ))
    console_cmd = ["webserver_pkg.webserver_publisher_node"]
    if sim:
        console_cmd += ["--host", "127.0.0.1"]  # a laptop: never expose the default password to the LAN
    if console_port is not None:
        console_cmd += ["--port", str(console_port)]
    if https_port is not None:
        console_cmd += ["--https-port", str(https_port)]
    processes.append(ProcessSpec(
        name="console",
        description="device console (FastAPI on uvicorn) and its ROS bridge webserver_publisher_node",
        command=tuple(console_cmd),
        nodes=(NodeSpec("webserver_pkg.webserver_publisher_node:WebserverPublisherNode",
                        "webserver_publisher_node", "webserver_pkg"),),
    ))
    return Graph(processes=tuple(processes), sim=sim)
