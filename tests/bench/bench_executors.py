"""Which rclpy executor for the car's processes: CPU while idle and per message, in a process of its own.

`python -m tests.bench.bench_executors probe KIND` spins one node (a 0.25 s timer, as ctrl's restart
watch, and a subscription) on executor KIND in node_host's spin loop: 3 s idle, then 3 s of a 200 Hz
stream from a publisher process. The figures are the probe's own CPU time (getrusage).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

KINDS = ("events", "single", "multi")
RATE_HZ = 200.0
PHASE_S = 3.0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def probe(kind: str) -> None:
    import rclpy
    from node_host.host import SPIN_PERIOD_S, make_executor
    from rclpy.node import Node
    from std_msgs.msg import String

    context = rclpy.Context()
    rclpy.init(context=context)
    node = Node("executor_probe", context=context)
    received = [0]
    node.create_subscription(String, "/bench_executor_stream", lambda _m: received.__setitem__(0, received[0] + 1), 10)
    node.create_timer(0.25, lambda: None)
    executor = make_executor(kind, context)
    executor.add_node(node)

    def spin_for(seconds: float) -> float:
        start_cpu, end = _cpu(), time.monotonic() + seconds
        while time.monotonic() < end:
            executor.spin_once(timeout_sec=min(SPIN_PERIOD_S, max(0.0, end - time.monotonic())))
        return _cpu() - start_cpu

    spin_for(1.0)                                        # settle (discovery)
    idle = spin_for(PHASE_S)
    print("READY", flush=True)
    while received[0] == 0:
        executor.spin_once(timeout_sec=0.1)
    first = received[0]
    busy = spin_for(PHASE_S)
    messages = received[0] - first
    print(json.dumps({"idle_cores": idle / PHASE_S, "busy_cores": busy / PHASE_S,
                      "us_per_message": busy / max(messages, 1) * 1e6, "messages": messages}), flush=True)
    os._exit(0)


def publish() -> None:
    import rclpy
    from rclpy.node import Node
    from std_msgs.msg import String

    context = rclpy.Context()
    rclpy.init(context=context)
    node = Node("executor_stream", context=context)
    pub = node.create_publisher(String, "/bench_executor_stream", 10)
    msg = String(data="x" * 64)
    while True:
        pub.publish(msg)
        time.sleep(1.0 / RATE_HZ)


def run() -> dict[str, float]:
    figures: dict[str, float] = {}
    for kind in KINDS:
        prober = subprocess.Popen([sys.executable, "-m", "tests.bench.bench_executors", "probe", kind],
                                  stdout=subprocess.PIPE, text=True)
        assert prober.stdout is not None
        assert prober.stdout.readline().strip() == "READY"
        publisher = subprocess.Popen([sys.executable, "-m", "tests.bench.bench_executors", "publish"])
        try:
            result = json.loads(prober.stdout.readline())
        finally:
            publisher.kill()
            publisher.wait()
            prober.wait(timeout=30)
        figures[f"executor_{kind}_idle_cores"] = result["idle_cores"]
        figures[f"executor_{kind}_stream_200hz_cores"] = result["busy_cores"]
        figures[f"executor_{kind}_us_per_message"] = result["us_per_message"]
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["probe"]:
        probe(sys.argv[2])
    elif sys.argv[1:2] == ["publish"]:
        publish()
    else:
        for key, value in run().items():
            print(f"{key}: {value:.4f}")
