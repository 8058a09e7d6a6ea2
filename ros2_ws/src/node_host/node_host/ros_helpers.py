"""The rclpy pieces every node shares: QoS profiles, typed parameters, service calls that never wait.

- QoS: `command_qos()` (drive commands), `SENSOR_QOS` (images, scans: newest only), `LATEST_RELIABLE`.
- `read_parameters(node, Params)`: declares one ROS parameter per field of the dataclass `Params`
  (the field's default is the parameter's default) and returns the values as a `Params`, so a
  node's `__init__` says which parameters it has in one line and its code reads typed attributes.
- `ServiceCaller.call(client, request, ...)`: a service call that returns an rclpy Future at once
  and completes it with the answer, or with `ServiceError` when the service is missing or does not
  answer in time; waiting is done by one-shot timers, never inside a callback. An `async def`
  callback awaits it; `runtime.steps.run_steps` drives longer sequences (ctrl's model load).
- `create_deferred_service(node, Srv, name, handler)`: a service whose handler is an `async def`
  that may `await wait_for(...)` a call or offloaded work; it is driven by the done callbacks of
  what it waits for (`runtime.steps.run_steps`) and the response leaves when it returns. rclpy's own
  `async def` callbacks are not used: the EventsExecutor revisits a waiting coroutine at every
  `spin_once`, which turns a spin loop into a busy loop for as long as the coroutine waits.
- `offload(node, work)`: run blocking work (a subprocess, a socket round trip, a model conversion)
  on a worker thread; the Future completes on the node's executor.
- `one_shot(node, seconds, callback)`: a timer that fires once.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from rclpy.client import Client
from rclpy.duration import Duration
from rclpy.node import Node
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
from rclpy.service import Service
from rclpy.task import Future
from rclpy.timer import Timer

from runtime.steps import ServiceError, run_steps

__all__ = ["LATEST_RELIABLE", "SENSOR_QOS", "ServiceCaller", "ServiceError", "command_qos", "log_at",
           "create_deferred_service", "offload", "one_shot", "read_parameters"]

T = TypeVar("T")
P = TypeVar("P")
Req = TypeVar("Req")
Resp = TypeVar("Resp")

# -- QoS ---------------------------------------------------------------------------------------------
SENSOR_QOS = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1, reliability=ReliabilityPolicy.BEST_EFFORT)
LATEST_RELIABLE = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1, reliability=ReliabilityPolicy.RELIABLE)


def log_at(node: Node, level: str, message: str) -> None:
    """Log `message` at `level` ("error", "warn", else info) for libraries that report through a
    callback. One call site per severity: rclpy raises ValueError when one line logs at two."""
    logger = node.get_logger()
    if level == "error":
        logger.error(message)
    elif level == "warn":
        logger.warning(message)
    else:
        logger.info(message)


def command_qos(deadline_s: float = 0.0) -> QoSProfile:
    """ServiceCtrlMsg drive commands: BEST_EFFORT KeepLast(1), plus an offered deadline when > 0."""
    qos = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1, reliability=ReliabilityPolicy.BEST_EFFORT)
    if deadline_s > 0:
        qos.deadline = Duration(nanoseconds=int(deadline_s * 1e9))
    return qos


# -- parameters --------------------------------------------------------------------------------------
def read_parameters(node: Node, params_type: type[P]) -> P:
    """Declare a parameter per field of the dataclass `params_type` and read them into one.

    A field's default (or default_factory) is the parameter's default; values come back converted to
    the default's type (an integer given for a float parameter is a float)."""
    if not dataclasses.is_dataclass(params_type):
        raise TypeError(f"{params_type!r} is not a dataclass")
    values: dict[str, Any] = {}
    for field in dataclasses.fields(params_type):
        if field.default is not dataclasses.MISSING:
            default = field.default
        elif field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        else:
            raise TypeError(f"parameter {field.name} of {params_type.__name__} needs a default")
        value = node.declare_parameter(field.name, default).value
        values[field.name] = _convert(value, default)
    return params_type(**values)


def _convert(value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        return bool(value)
    if isinstance(default, float) and isinstance(value, int):
        return float(value)
    return value


# -- timers and worker threads -----------------------------------------------------------------------
def one_shot(node: Node, seconds: float, callback: Callable[[], None], callback_group: Any = None) -> Timer:
    """A timer that calls `callback` once after `seconds` (cancel it to call nothing)."""
    timer: Timer | None = None

    def fire() -> None:
        assert timer is not None
        timer.cancel()
        node.destroy_timer(timer)
        callback()

    timer = node.create_timer(max(seconds, 1e-4), fire, callback_group=callback_group)
    return timer


_workers_lock = threading.Lock()
_workers: ThreadPoolExecutor | None = None


def _worker_pool() -> ThreadPoolExecutor:
    global _workers
    with _workers_lock:
        if _workers is None:
            _workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="node-work")
        return _workers


def offload(node: Node, work: Callable[[], T], workers: ThreadPoolExecutor | None = None) -> Future[T]:
    """Run `work()` on a worker thread (the process's two, or `workers`, e.g. one thread to keep jobs in
    order); its result or exception completes the Future, whose done callbacks run on the node's executor."""
    future: Future[T] = Future(executor=node.executor)

    def run() -> None:
        try:
            result = work()
        except Exception as exc:  # handed to whoever waits on the Future
            future.set_exception(exc)
            return
        future.set_result(result)

    (workers or _worker_pool()).submit(run)
    return future


# -- services that answer later ----------------------------------------------------------------------
class _Slot(Generic[Resp]):
    def __init__(self, placeholder: Resp) -> None:
        self.placeholder = placeholder     # the Response the executor hands back to `send_response`
        self.header: Any = None            # the request's header, once the executor passed it on
        self.answer: Resp | None = None    # the handler's response, if it came before the header


class _DeferredService(Generic[Req, Resp]):
    def __init__(self, node: Node, srv_type: Any, name: str,
                 handler: Callable[[Req, Resp], Coroutine[Any, Any, Resp]]) -> None:
        self.node = node
        self.handler = handler
        self.service: Service[Any, Any] = node.create_service(srv_type, name, self._on_request)
        self._send_now = self.service.send_response
        # Every executor sends a callback's return value through the Service's `send_response`,
        # passing the request's header: kept here until the handler's coroutine has the answer.
        self.service.send_response = self._on_send  # type: ignore[method-assign]
        self._slots: dict[int, _Slot[Resp]] = {}

    def _on_request(self, request: Req, response: Resp) -> Resp:
        slot = _Slot(response)
        self._slots[id(response)] = slot
        run_steps(self.handler(request, response), on_done=lambda answer: self._answer(slot, answer),
                  on_error=lambda exc: self._failed(slot, exc))
        return response

    def _on_send(self, response: Any, header: Any) -> None:
        slot = self._slots.pop(id(response), None)
        if slot is None or slot.placeholder is not response:
            self._send_now(response, header)
        elif slot.answer is not None:
            self._send_now(slot.answer, header)     # the handler finished without waiting
        else:
            slot.header = header

    def _answer(self, slot: _Slot[Resp], answer: Resp) -> None:
        if slot.header is None:
            slot.answer = answer
        else:
            self._send_now(answer, slot.header)

    def _failed(self, slot: _Slot[Resp], exc: BaseException) -> None:
        self.node.get_logger().error(f"{self.service.srv_name}: {exc!r}")
        self._answer(slot, slot.placeholder)        # the service always answers (error fields default)


def create_deferred_service(node: Node, srv_type: Any, name: str,
                            handler: Callable[[Req, Resp], Coroutine[Any, Any, Resp]]) -> Service[Any, Any]:
    """A service answered when `handler(request, response)` (an `async def` awaiting only
    `runtime.steps.wait_for(...)`) returns; the executor runs other callbacks meanwhile."""
    return _DeferredService(node, srv_type, name, handler).service


# -- service calls -----------------------------------------------------------------------------------
class ServiceCaller:
    """Service calls of one node that never wait inside a callback (see the module's docstring)."""

    def __init__(self, node: Node, timeout: float = 10.0, service_wait: float = 2.0) -> None:
        self.node = node
        self.timeout = timeout
        self.service_wait = service_wait

    def call(self, client: Client[Req, Resp], request: Req, timeout: float | None = None,
             resend_after: float | None = None) -> Future[Resp]:
        """The answer of `client`'s service to `request`, or ServiceError.

        The service may take `service_wait` s to appear (a process just starting). `resend_after`
        (idempotent requests only): ask again when no answer came within that time; a process that
        has just started can drop its first answers, and the request may have reached a killed
        process's ghost that DDS still lists."""
        limit = self.timeout if timeout is None else timeout
        return _Call(self.node, client, request, limit, resend_after, min(limit, self.service_wait)).future

    def fire(self, client: Client[Req, Resp], request: Req, what: str, quiet_if_missing: bool = False,
             on_error: Callable[[], object] | None = None) -> None:
        """Send and forget; failures are logged and `on_error()` runs when the answer has an error."""
        log = self.node.get_logger()
        if not client.service_is_ready():
            if not quiet_if_missing:
                log.warning(f"{what}: {client.srv_name} not available")
            return
        future = client.call_async(request)

        def done(f: Future[Resp]) -> None:
            exc = f.exception()
            if exc is not None:
                log.error(f"{what} failed: {exc}")
                return
            error = getattr(f.result(), "error", 0)
            if error != 0:
                log.error(f"{what} returned error {error}")
                if on_error is not None:
                    on_error()

        future.add_done_callback(done)


class _Call:
    """One call in flight: wait for the server (polled), send, resend, give up at the deadline."""

    POLL_S = 0.05

    def __init__(self, node: Node, client: Client[Any, Any], request: Any, limit: float,
                 resend_after: float | None, service_wait: float) -> None:
        self.node, self.client, self.request = node, client, request
        self.limit, self.resend_after = limit, resend_after
        self.future: Future[Any] = Future(executor=node.executor)
        self.sent: Future[Any] | None = None
        self.timer: Timer | None = None
        now = time.monotonic()
        self.wait_until = now + service_wait
        self.deadline = now + limit
        if client.service_is_ready():
            self._send()
        else:
            self._arm(self.POLL_S, self._poll_service)

    def _arm(self, seconds: float, callback: Callable[[], None]) -> None:
        self.timer = one_shot(self.node, seconds, callback)

    def _disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.node.destroy_timer(self.timer)
            self.timer = None

    def _fail(self, message: str) -> None:
        if not self.future.done():
            self.future.set_exception(ServiceError(message))

    def _poll_service(self) -> None:
        self.timer = None
        if self.client.service_is_ready():
            self._send()
        elif time.monotonic() >= self.wait_until:
            self._fail(f"service {self.client.srv_name} is not available")
        else:
            self._arm(self.POLL_S, self._poll_service)

    def _send(self) -> None:
        self.sent = self.client.call_async(self.request)
        self.sent.add_done_callback(self._answered)
        remaining = self.deadline - time.monotonic()
        self._arm(max(0.0, min(remaining, self.resend_after or remaining)), self._no_answer)

    def _answered(self, sent: Future[Any]) -> None:
        if sent is not self.sent or self.future.done():
            return  # an answer to a request given up on
        self._disarm()
        exc = sent.exception()
        if exc is not None:
            self._fail(f"service {self.client.srv_name} failed: {exc}")
        else:
            self.future.set_result(sent.result())

    def _no_answer(self) -> None:
        self.timer = None
        if self.sent is not None:
            self.client.remove_pending_request(self.sent)
        if time.monotonic() >= self.deadline:
            self._fail(f"service {self.client.srv_name} did not answer within {self.limit:g} s")
        else:
            self._send()
