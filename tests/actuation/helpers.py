"""Shared pieces of the actuation ROS tests: a simulated car tree per process, output readers."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctrl_pkg.ctrl_node import command_qos  # the drive topics' profile, as ctrl and servo use it
from rclpy.event_handler import PublisherEventCallbacks
from rclpy.qos import QoSProfile

from sim.sysfs_tree import build_sim_sysfs, sim_gpio_value_path, sim_pwm_duty_path
from tests.support.ros import RosTestNode, wait_until

NEUTRAL = ("1446000", "1450000")   # default motor mid, servo mid


class SimCar:
    """A fake /sys and state dir for one node process; reads what the drivers wrote."""

    def __init__(self, base: Path) -> None:
        self.sys = build_sim_sysfs(base / "sys", net_interfaces=["lo"])
        self.state = base / "state"
        self.state.mkdir(parents=True, exist_ok=True)

    @property
    def env(self) -> dict[str, str]:
        return {"DEEPRACER_SYSFS_ROOT": str(self.sys), "DEEPRACER_STATE_DIR": str(self.state),
                "DEEPRACER_HARDWARE": "sim", "DEEPRACER_PWM_BACKEND": "sysfs"}

    @staticmethod
    def _read(path: Path) -> str:
        """A plain file is not sysfs: a read can land between the writer's truncate and write."""
        for _ in range(100):
            text = path.read_text()
            if text:
                return text
            time.sleep(0.001)
        return text

    def duty(self, channel: int) -> str:
        return self._read(sim_pwm_duty_path(self.sys, channel))

    def drive_duties(self) -> tuple[str, str]:
        return self.duty(0), self.duty(1)

    def led_duties(self) -> tuple[str, str, str]:
        return self.duty(2), self.duty(3), self.duty(4)

    def gpio(self, number: int) -> str:
        return self._read(sim_gpio_value_path(self.sys, number))


def make_publisher(ros: Any, msg_type: Any, topic: str, qos: QoSProfile | None = None) -> Any:
    """A publisher that does not warn about the servo node's deadline-only listener (by design incompatible)."""
    return ros.node.create_publisher(msg_type, topic, qos or command_qos(),
                                     event_callbacks=PublisherEventCallbacks(incompatible_qos=lambda _info: None))


def wait_for_subscriber(publisher: Any, timeout: float = 15.0) -> None:
    wait_until(lambda: publisher.get_subscription_count() > 0, timeout, f"a subscriber on {publisher.topic_name}")


def assert_ignored(publisher: Any, msg: Any, outputs: Callable[[], Any], expected: Any, sends: int = 15) -> None:
    """Publish `msg` `sends` times, 20 ms apart (several of ctrl's 50 Hz command periods), checking
    after each that `outputs()` still reads `expected`.

    A negative check passes on a dead path as well: call it only where the same publisher is known
    to reach ctrl (matched, and shown driving before, or shown driving after in the same test once
    the state allows it, with the same message).
    """
    assert publisher.get_subscription_count() > 0, f"nobody listens on {publisher.topic_name}"
    for _ in range(sends):
        publisher.publish(msg)
        assert outputs() == expected
        time.sleep(0.02)


def wait_for_log(process: Any, text: str, timeout: float = 10.0) -> None:
    wait_until(lambda: text in process.log_text(), timeout, f"{text!r} in the node log")


class DomainRosNode(RosTestNode):
    """A RosTestNode in a ROS domain of its own (for a node graph shared by several test modules)."""

    def __init__(self, name: str, domain_id: int) -> None:
        super().__init__(name, domain_id=domain_id)

    def close(self) -> None:
        """Close from a helper thread with a deadline: a stuck DDS teardown must not hang the session."""
        import threading

        closer = threading.Thread(target=super().close, name=f"close-{self.node.get_name()}", daemon=True)
        closer.start()
        closer.join(15)



# -- node graphs started together --------------------------------------------------------------
#
# Starting a node process costs a second or more (Python, rclpy, DDS discovery), so the ROS test
# modules declare their processes at import time and the package-scoped pool starts them all at
# once, each on its own simulated car and in a ROS domain of its own (several servo nodes with the
# same names would otherwise meet), with a test node in that domain.

@dataclass
class GraphSpec:
    module: str                                   # `python -m module`
    ros_args: list[str]
    ready: str                                    # log line that says the nodes are up
    prepare: Callable[[SimCar], None] | None = None   # before the process starts
    extras: Callable[[Any], dict[str, Any]] | None = None   # helpers on the test node (given the Graph)


REGISTRY: dict[str, GraphSpec] = {}


def claim_private_domain() -> tuple[int, Any]:
    """A ROS domain id from 150..232 (tests.support.ros.claim_domain_id hands out 1..100 by default).

    Domains people pick by hand for a quick manual run are usually small numbers; a graph meeting
    such a stranger's nodes would answer with the stranger's services.
    """
    from tests.support.ros import claim_domain_id

    return claim_domain_id(150, 232)


def register_graph(name: str, spec: GraphSpec) -> str:
    REGISTRY[name] = spec
    return name


class Graph:
    def __init__(self, name: str, spec: GraphSpec, base: Path) -> None:
        from tests.support.ros import NodeProcess

        self.name = name
        self.spec = spec
        self.domain, self._lock = claim_private_domain()
        self.car = SimCar(base)
        if spec.prepare:
            spec.prepare(self.car)
        self.proc = NodeProcess(spec.module, base / f"{name}.log", ros_args=spec.ros_args,
                                env=dict(self.car.env, ROS_DOMAIN_ID=str(self.domain)))
        self.ros = DomainRosNode(f"pytest_{name}", self.domain)
        self.extras: dict[str, Any] = spec.extras(self) if spec.extras else {}

    def ready(self, timeout: float = 60.0) -> Graph:
        if self.spec.ready not in self.proc.log_text() and self.proc.proc.poll() is not None:
            raise AssertionError(f"{self.name} exited early:\n{self.proc.log_text()}")
        wait_for_log(self.proc, self.spec.ready, timeout)
        return self

    def close(self) -> None:
        self.proc.stop()
        for extra in self.extras.values():
            close = getattr(extra, "close", None)
            if close:
                close()
        self.ros.close()
        self._lock.close()


class GraphPool:
    def __init__(self, base: Path, specs: dict[str, GraphSpec]) -> None:
        self.graphs: dict[str, Graph] = {}
        for name, spec in specs.items():
            self.graphs[name] = Graph(name, spec, base / name)

    def get(self, name: str) -> Graph:
        return self.graphs[name].ready()

    def close(self) -> None:
        import signal

        for graph in self.graphs.values():          # signal all first: they stop in parallel
            if graph.proc.proc.poll() is None:
                graph.proc.proc.send_signal(signal.SIGINT)
        for graph in self.graphs.values():
            graph.close()


def _fake_inference(graph: Graph) -> dict[str, Any]:
    from tests.actuation.fake_services import FakeInferenceStack

    return {"fake_inference": FakeInferenceStack(graph.ros.node)}


# servo_node + ctrl_node in one process, as the launcher's core process hosts them, with the fake
# optimizer / inference / navigation / camera services on the test node. The servo watchdog is long
# (30 s) so that whatever returns the car to neutral in the ctrl tests is the ctrl behaviour under test.
CORE = GraphSpec("tests.actuation.core_host", ["-p", "watchdog_timeout:=30.0"], "ctrl_node started",
                 extras=_fake_inference)

# status_led_node + battery_node + device_info_node + device_status_node in one process (device status
# every 0.2 s).
# latency_gap 3 s: a loaded test machine can hold the test's sender back for half a second, which
# would start a new (short) statistics window in the middle of the latency test
SUPPORT = GraphSpec("tests.actuation.support_host", ["-p", "status_period:=0.2", "-p", "latency_gap:=3.0"],
                    "device_info_node started")
