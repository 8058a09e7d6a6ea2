"""Run one or several DeepRacer nodes in this process (the ROS side of `launcher/`, which has no rclpy).

Every node module's `main()` calls `run_nodes([TheNode])`; the launcher starts
`python -m node_host.host --process NAME`, which hosts the nodes that the graph
(`launcher/graph.py`) puts in that process, so light nodes share one interpreter.

Executor: rclpy's `EventsExecutor` (`rclpy.experimental`) by default. Measured here
(`tests/bench/bench_executors.py`, in `make bench`): it idles at a fraction of the single-threaded
executor's cost and handles a message stream with less CPU; the multi-threaded executor re-polls while
a callback runs. No callback waits (see `node_host.ros_helpers`), so one thread is enough; the servo
watchdog has a thread of its own. `--executor single|multi` remain for measurements.

Shutdown: SIGINT or SIGTERM stops spinning; every node's `on_shutdown()` runs (servo: PWM neutral)
even when a callback raised, then nodes are destroyed and rclpy shut down.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

import rclpy
from rclpy.context import Context
from rclpy.executors import Executor, ExternalShutdownException, MultiThreadedExecutor, SingleThreadedExecutor
from rclpy.node import Node

EXECUTORS = ("events", "single", "multi")
SPIN_PERIOD_S = 0.5   # spin_once's longest wait: a stop request also wakes the executor at once


def _load_class(dotted: str) -> type[Node]:
    module_name, _, class_name = dotted.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, class_name)


def make_executor(kind: str, context: Context, threads: int = 4) -> Executor:
    """"events" (rclpy.experimental.EventsExecutor), "single" or "multi" (`threads` threads)."""
    if kind == "events":
        from rclpy.experimental import EventsExecutor

        return EventsExecutor(context=context)
    if kind == "single":
        return SingleThreadedExecutor(context=context)
    if kind == "multi":
        return MultiThreadedExecutor(num_threads=threads, context=context)
    raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, not {kind!r}")


def run_nodes(node_factories: Sequence[Any], args: Sequence[str] | None = None,
              node_kwargs: Sequence[dict[str, Any]] | None = None, threads: int | None = None,
              executor_kind: str = "events") -> int:
    """Instantiate each factory (a Node subclass) and spin them until SIGINT/SIGTERM.

    Returns a process exit code: 0 on a requested stop, 1 if a node raised.
    """
    argv = list(sys.argv if args is None else args)
    context = rclpy.Context()
    rclpy.init(args=argv, context=context, signal_handler_options=rclpy.signals.SignalHandlerOptions.NO)
    stop = threading.Event()
    nodes: list[Node] = []
    executor = make_executor(executor_kind, context, threads or max(4, 2 * len(node_factories)))

    def _on_signal(signum: int, _frame: Any) -> None:
        stop.set()
        executor.wake()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    code = 0
    try:
        failed = []
        for index, factory in enumerate(node_factories):
            kwargs = dict(node_kwargs[index]) if node_kwargs else {}
            kwargs.setdefault("context", context)
            try:
                node = factory(**kwargs)
            except Exception as exc:
                # One node that cannot start must not take its process-mates down (the servo node
                # shares a process with light nodes); it shows as missing in `deepracer status`.
                failed.append(factory)
                print(f"[host] could not start {getattr(factory, '__name__', factory)}: {exc!r}",
                      file=sys.stderr, flush=True)
                import traceback

                traceback.print_exc()
                continue
            nodes.append(node)
            executor.add_node(node)
        if not nodes:
            raise RuntimeError("no node of this process could start")
        while not stop.is_set() and context.ok():
            executor.spin_once(timeout_sec=SPIN_PERIOD_S)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except Exception as exc:  # a node raised: report, make everything safe, exit non-zero
        code = 1
        print(f"[host] node error: {exc!r}", file=sys.stderr, flush=True)
        import traceback

        traceback.print_exc()
    finally:
        for node in reversed(nodes):
            hook = getattr(node, "on_shutdown", None)
            if hook is not None:
                try:
                    hook()
                except Exception as exc:  # keep shutting the others down
                    print(f"[host] on_shutdown of {node.get_name()} failed: {exc!r}", file=sys.stderr)
        executor.shutdown(timeout_sec=2.0)
        for node in nodes:
            try:
                node.destroy_node()
            except Exception:
                pass
        if context.ok():
            rclpy.shutdown(context=context)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m node_host.host --process NAME [--sim] [--ros-args ...]`."""
    from launcher.graph import load_graph

    raw = list(sys.argv[1:] if argv is None else argv)
    ros_args: list[str] = []
    if "--ros-args" in raw:
        i = raw.index("--ros-args")
        raw, ros_args = raw[:i], raw[i:]
    parser = argparse.ArgumentParser(prog="node_host.host")
    parser.add_argument("--process", required=True)
    parser.add_argument("--sim", action="store_true")
    parser.add_argument("--graph", default=None, help="module:function building a non-default graph")
    parser.add_argument("--executor", choices=EXECUTORS, default="events")
    opts = parser.parse_args(raw)
    process = load_graph(opts.graph, sim=opts.sim).process(opts.process)
    from rclpy.parameter import Parameter

    factories: list[Any] = []
    kwargs: list[dict[str, Any]] = []
    for spec in process.nodes:
        try:
            factories.append(_load_class(spec.entry))
        except Exception as exc:  # a broken module: report it, host the others
            print(f"[host] cannot import {spec.entry}: {exc!r}", file=sys.stderr, flush=True)
            import traceback

            traceback.print_exc()
            continue
        kwargs.append({
            "namespace": spec.namespace,
            "parameter_overrides": [Parameter(k, value=v) for k, v in spec.parameters.items()],
        })
    sys.exit(run_nodes(factories, args=[sys.argv[0], *ros_args], node_kwargs=kwargs, executor_kind=opts.executor))


if __name__ == "__main__":
    main()
