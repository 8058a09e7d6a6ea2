"""`deepracer status`: is every process alive, is every node on the ROS graph, which versions run."""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from cli.common import default_sim_state_dir
from runtime.processes import pid_alive


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("status", help="node health, topics and versions of the running stack")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--wait", type=float, default=5.0,
                        help="seconds to wait for every expected node to appear on the ROS graph")
    parser.set_defaults(func=status)


def find_supervisor_state() -> tuple[Path, dict[str, Any]] | None:
    """(state folder, supervisor.json) of the running stack, None when none runs."""
    candidates = []
    if os.environ.get("DEEPRACER_STATE_DIR"):
        candidates.append(Path(os.environ["DEEPRACER_STATE_DIR"]))
    candidates += [default_sim_state_dir(), Path("/opt/aws/deepracer")]
    for state in candidates:
        path = state / "run" / "supervisor.json"
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if pid_alive(data.get("supervisor_pid")):
            return state, data
    return None


def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "ros_distro": os.environ.get("ROS_DISTRO", "kilted (PyPI wheels)")}
    for dist, key in (("deepracer-open-stack", "deepracer"), ("openvino", "openvino"),
                      ("opencv-python-headless", "opencv"), ("rclpy", "rclpy"), ("fastapi", "fastapi")):
        try:
            out[key] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[key] = "--"
    return out


def ros_graph(expected: set[str], wait: float) -> tuple[set[str], list[tuple[str, list[str]]]]:
    import rclpy
    from rclpy.executors import SingleThreadedExecutor

    context = rclpy.Context()
    rclpy.init(context=context)
    node = rclpy.create_node(f"deepracer_status_{os.getpid()}", context=context)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    try:
        deadline = time.monotonic() + wait
        seen: set[str] = set()
        while True:
            executor.spin_once(timeout_sec=0.1)
            seen = {(ns.rstrip("/") + "/" + name) for name, ns in node.get_node_names_and_namespaces()}
            if expected <= seen or time.monotonic() > deadline:
                break
        topics = node.get_topic_names_and_types()
        return seen, topics
    finally:
        executor.shutdown()
        node.destroy_node()
        rclpy.shutdown(context=context)


def calibration_status(state: Path) -> dict[str, Any]:
    """Is calibration.json usable? A corrupt one leaves the car on the defaults (a warning, not a failure)."""
    from calibration.files import UNREADABLE_NOTICE, calibration_file_problem

    problem = calibration_file_problem(state / "calibration.json")
    if problem is None:
        return {"file_ok": True}
    return {"file_ok": False, "message": UNREADABLE_NOTICE, "reason": problem}


def status(args: argparse.Namespace) -> int:
    found = find_supervisor_state()
    report: dict[str, Any] = {"versions": versions(), "running": found is not None}
    if found is None:
        report["error"] = "the stack is not running (start it with `make run` or `deepracer run`)"
        if args.json:
            print(json.dumps(report, indent=2))
        else:
            print(report["error"])
            for key, value in report["versions"].items():
                print(f"  {key:10s} {value}")
        return 1
    state, data = found
    os.environ.setdefault("DEEPRACER_STATE_DIR", str(state))
    expected = {n for proc in data["processes"].values() for n in proc["nodes"]}
    seen, topics = ros_graph(expected, args.wait)
    healthy = True
    processes = {}
    for name, proc in data["processes"].items():
        alive = pid_alive(proc.get("pid"))
        nodes = {n: (n in seen) for n in proc["nodes"]}
        ok = alive and all(nodes.values())
        if proc.get("required", True) and not ok:
            healthy = False
        processes[name] = {**proc, "alive": alive, "nodes": nodes, "ok": ok}
    report.update({"state_dir": str(state), "sim": data.get("sim"), "healthy": healthy,
                   "processes": processes, "topics": sorted(t for t, _ in topics),
                   "calibration": calibration_status(state)})
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"DeepRacer stack ({'simulated car' if data.get('sim') else 'car hardware'}), state in {state}")
        for name, proc in processes.items():
            flag = "ok  " if proc["ok"] else ("FAIL" if proc.get("required", True) else "idle")
            print(f"  [{flag}] {name:10s} pid {proc.get('pid') or '-':>7}  restarts {proc['restarts']:<3} "
                  f"{proc.get('description', '')}")
            for node_name, present in proc["nodes"].items():
                print(f"           {'alive  ' if present else 'MISSING'} {node_name}")
        calibration = report["calibration"]
        if calibration["file_ok"]:
            print("  calibration: ok")
        else:
            print(f"  WARNING: {calibration['message']}")
            print(f"           {calibration['reason']}")
        print(f"  topics: {len(report['topics'])}")
        print("  versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()))
        print("healthy" if healthy else "NOT healthy")
    return 0 if healthy else 1
