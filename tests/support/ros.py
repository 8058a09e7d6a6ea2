"""Isolated ROS 2 graphs for tests.

Each pytest session takes a ROS domain id nobody else on the machine holds (a lock file per id)
and restricts discovery to localhost, so parallel runs never see each other.
"""

from __future__ import annotations

import fcntl
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_LOCK_DIR = Path("/tmp/deepracer-ros-domains")


def claim_domain_id(first: int = 1, last: int = 100) -> tuple[int, Any]:
    """Return (domain_id, lock handle) from first..last; keep the handle open while the id is used."""
    _LOCK_DIR.mkdir(parents=True, exist_ok=True)
    candidates = list(range(first, last + 1))
    random.Random(os.getpid() ^ time.monotonic_ns()).shuffle(candidates)
    for domain in candidates:
        handle = open(_LOCK_DIR / f"{domain}.lock", "w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        return domain, handle
    raise RuntimeError(f"no free ROS domain id in {first}..{last}")


def isolate_environment(domain: int) -> None:
    os.environ["ROS_DOMAIN_ID"] = str(domain)
    os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST"
    os.environ.pop("ROS_LOCALHOST_ONLY", None)
    os.environ.setdefault("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp")


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll `predicate` until it returns something truthy; fail with `what` after `timeout` s.

    This waits for an observable event with a deadline; it is not a fixed sleep.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.1f} s waiting for {what}")
        time.sleep(0.01)


def publish_until(publisher: Any, msg: Any, done: Callable[[], Any], timeout: float = 10.0,
                  what: str = "the message to take effect", period: float = 0.02) -> Any:
    """Publish `msg` on `publisher` every `period` s until `done()` is truthy; return that value.

    For topics where one message may be lost (best effort, a subscription still being matched).
    `publisher` may instead be a function that publishes (several topics at once) with `msg` None.
    """
    send: Callable[[], Any] = publisher if msg is None else (lambda: publisher.publish(msg))
    deadline = time.monotonic() + timeout
    while True:
        send()
        value = done()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.1f} s waiting for {what}")
        time.sleep(period)


def with_depth(qos: Any, depth: int) -> Any:
    """A copy of a production QoS profile with a deeper history, for a test subscriber that must
    keep every message of a burst (same reliability, durability and history kind as the node's)."""
    from rclpy.qos import QoSProfile

    copy = QoSProfile(depth=depth, history=qos.history, reliability=qos.reliability, durability=qos.durability)
    return copy


class RosTestNode:
    """An rclpy node spinning in a background thread, for tests to publish, subscribe and call."""

    def __init__(self, name: str = "pytest_node", domain_id: int | None = None, threads: int = 1) -> None:
        """`domain_id` None: the session's isolated domain; otherwise that domain (e.g. a SimStack's).
        `threads` > 1: a multi-threaded executor, for fake services whose callbacks block."""
        import rclpy
        from rclpy.executors import MultiThreadedExecutor, SingleThreadedExecutor

        self._rclpy = rclpy
        self.context = rclpy.Context()
        rclpy.init(context=self.context, domain_id=domain_id)
        self.node = rclpy.create_node(name, context=self.context)
        # Single-threaded: callbacks here are short (collect, record), service calls wait in the
        # calling thread; rclpy's multi-threaded executor stalls at random under message load.
        self.executor: Any = (SingleThreadedExecutor(context=self.context) if threads <= 1
                              else MultiThreadedExecutor(num_threads=threads, context=self.context))
        self.executor.add_node(self.node)
        self._thread = threading.Thread(target=self._spin, daemon=True)
        self._thread.start()

    def _spin(self) -> None:
        try:
            self.executor.spin()
        except Exception:  # context shut down
            pass

    def collect(self, msg_type: Any, topic: str, qos: Any = 10) -> list[Any]:
        """Subscribe and return the (growing) list of received messages."""
        received: list[Any] = []
        self.node.create_subscription(msg_type, topic, received.append, qos)
        return received

    def call(self, srv_type: Any, name: str, request: Any = None, timeout: float = 10.0,
             resend_after: float = 4.0) -> Any:
        """Call a service and return its response.

        A brand-new client can lose its first response: `wait_for_service` only proves the request
        path is matched, and DDS may not have matched the reply path yet. So a request that got no
        answer within `resend_after` seconds is sent again (tests call idempotent services, or services
        whose repeated effect is the same), until `timeout`.
        """
        client: Any = self.node.create_client(srv_type, name)
        deadline = time.monotonic() + timeout
        try:
            if not client.wait_for_service(timeout_sec=timeout):
                raise AssertionError(f"service {name} not available after {timeout} s")
            req = request if request is not None else srv_type.Request()
            while True:
                future = client.call_async(req)
                done = threading.Event()
                future.add_done_callback(lambda _f, event=done: event.set())
                remaining = deadline - time.monotonic()
                if done.wait(max(0.0, min(resend_after, remaining))):
                    return future.result()
                client.remove_pending_request(future)
                if time.monotonic() >= deadline:
                    raise AssertionError(f"service {name} did not answer within {timeout} s")
        finally:
            self.node.destroy_client(client)

    def close(self) -> None:
        self.executor.shutdown(timeout_sec=2)
        self.node.destroy_node()
        self._rclpy.shutdown(context=self.context)
        self._thread.join(timeout=5)


class NodeProcess:
    """One of our node modules in its own process, with its own log file."""

    def __init__(self, module: str, log_path: Path, ros_args: list[str] | None = None,
                 env: dict[str, str] | None = None, args: list[str] | None = None) -> None:
        self.module = module
        self.log_path = log_path
        cmd = [sys.executable, "-u", "-m", module, *(args or [])]
        if ros_args:
            cmd += ["--ros-args", *ros_args]
        full_env = dict(os.environ)
        full_env.update(env or {})
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=full_env,
                                     start_new_session=True)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 10.0) -> int:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode


@contextmanager
def node_processes(tmp_path: Path) -> Iterator[Callable[..., NodeProcess]]:
    started: list[NodeProcess] = []

    def start(module: str, **kwargs: Any) -> NodeProcess:
        name = module.rsplit(".", 1)[-1]
        proc = NodeProcess(module, tmp_path / f"{name}-{len(started)}.log", **kwargs)
        started.append(proc)
        return proc

    try:
        yield start
    finally:
        for proc in reversed(started):
            proc.stop()
