"""Sequences of asynchronous steps written as plain coroutines, driven by done callbacks (no ROS).

A ROS node must never wait inside a callback, yet a sequence such as ctrl's model load (five service
calls, each depending on the one before) reads best as straight-line code. `run_steps` drives such a
coroutine without an event loop and without polling: each `await wait_for(pending)` hands `pending`
(anything with `add_done_callback` and `result()`: an rclpy Future, a `concurrent.futures.Future`,
a `Done`) to the driver, which resumes the coroutine from that object's done callback. Nothing runs
between two steps, so an executor stays free while a sequence waits on a service.

    async def sequence() -> bool:
        error = await wait_for(ports.inference_state(False))
        ...

    run_steps(sequence(), on_error=log_it)
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Generator
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class ServiceError(RuntimeError):
    """A service a step needs did not exist or did not answer in time."""


class Pending(Protocol[T_co]):
    """A result that is not there yet (rclpy.task.Future and concurrent.futures.Future qualify)."""

    def add_done_callback(self, fn: Callable[[Any], Any], /) -> Any: ...

    def result(self) -> T_co | None: ...


class Done(Generic[T]):
    """A `Pending` that is already complete: a result, or the exception `result()` raises."""

    def __init__(self, value: T | None = None, error: BaseException | None = None) -> None:
        self._value = value
        self._error = error

    def add_done_callback(self, fn: Callable[[Any], Any], /) -> None:
        fn(self)

    def result(self) -> T | None:
        if self._error is not None:
            raise self._error
        return self._value


class _Wait(Generic[T]):
    def __init__(self, pending: Pending[T]) -> None:
        self.pending = pending

    def __await__(self) -> Generator[Pending[T], Any, T]:
        return (yield self.pending)


def wait_for(pending: Pending[T]) -> _Wait[T]:
    """`await wait_for(p)` inside a coroutine run by `run_steps`: the result of `p` (or its exception)."""
    return _Wait(pending)


def run_steps(coroutine: Coroutine[Any, Any, Any], on_error: Callable[[BaseException], None] | None = None,
              on_done: Callable[[Any], None] | None = None) -> None:
    """Run `coroutine` up to its first wait now, and each later part when what it waits for is done.

    The coroutine may only await `wait_for(...)`. An exception it lets escape goes to `on_error`
    (re-raised when there is none); its return value goes to `on_done`.
    """

    def advance(value: Any = None, error: BaseException | None = None) -> None:
        try:
            pending = coroutine.throw(error) if error is not None else coroutine.send(value)
        except StopIteration as stop:
            if on_done is not None:
                on_done(stop.value)
            return
        except BaseException as exc:  # the sequence failed: report, never into the executor
            if on_error is None:
                raise
            on_error(exc)
            return
        pending.add_done_callback(resume)

    def resume(pending: Any) -> None:
        try:
            value = pending.result()
        except BaseException as exc:  # the step failed: the coroutine decides (try/except) what it means
            advance(error=exc)
            return
        advance(value)

    advance()


class _Then(Generic[T]):
    def __init__(self, pending: Pending[Any], convert: Callable[[Any], T]) -> None:
        self._pending = pending
        self._convert = convert

    def add_done_callback(self, fn: Callable[[Any], Any], /) -> None:
        self._pending.add_done_callback(lambda _done: fn(self))

    def result(self) -> T | None:
        return self._convert(self._pending.result())


def then(pending: Pending[Any], convert: Callable[[Any], T]) -> Pending[T]:
    """`pending`'s result passed through `convert` (e.g. a service response -> its error code)."""
    return _Then(pending, convert)
