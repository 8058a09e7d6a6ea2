"""Whole-stack budget while driving: resident memory and CPU of the car's processes with the sample
model driving the simulated car autonomously at 30 fps (the simulator itself reported apart)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import psutil

from tests.support.ros import wait_until
from tests.support.stack import SimStack

REPO = Path(__file__).resolve().parents[2]
WINDOW_S = 20.0
IDLE_WINDOW_S = 10.0


def _sample_model() -> Path:
    candidates = sorted((REPO / "sample_models").glob("*.tar.gz"))
    if not candidates:
        raise RuntimeError("no sample model in sample_models/")
    return candidates[0]


def _drive(stack: SimStack) -> None:
    client = stack.login()
    model = _sample_model()
    with model.open("rb") as handle:
        reply = client.post("/api/uploadModels", files={"file": (model.name, handle, "application/gzip")})
    assert reply.json().get("success"), reply.text
    folder = model.name[: -len(".tar.gz")]
    assert client.post("/api/drive_mode", json={"drive_mode": "auto"}).json()["success"]
    reply = client.put(f"/api/models/{folder}/model")
    assert reply.json().get("success"), reply.text
    wait_until(lambda: client.get("/api/isModelLoading").json().get("isModelLoading") == "loaded", 120,
               "the sample model to load")
    assert client.put("/api/max_nav_throttle", json={"throttle": 50}).json()["success"]
    assert client.put("/api/start_stop", json={"start_stop": "start"}).json()["success"]


def _idle_cpu(stack: SimStack) -> dict[str, float]:
    """Cores used by the car's processes with the console open but not driving: a logged-in page
    asking for the battery and sensor status every second, as the console's pages do."""
    time.sleep(3.0)  # start-up work (first discovery, model list) done
    procs = {name: psutil.Process(pid) for name, pid in stack.process_pids().items() if name != "sim"}
    for proc in procs.values():
        proc.cpu_percent(None)
    client = stack.login()
    try:
        t_end = time.monotonic() + IDLE_WINDOW_S
        while time.monotonic() < t_end:
            client.get("/api/get_battery_level")
            client.get("/api/get_sensor_status")
            time.sleep(1.0)
    finally:
        client.close()
    cpu = {name: proc.cpu_percent(None) / 100.0 for name, proc in procs.items()}
    figures = {"stack_idle_cpu_cores_car_processes": round(sum(cpu.values()), 3)}
    figures.update({f"stack_idle_cpu_cores_{name}": round(value, 3) for name, value in cpu.items()})
    return figures


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-stack-") as tmp:
        stack = SimStack(Path(tmp), extra_args=["--fps", "30"]).start()
        try:
            idle = _idle_cpu(stack)
            _drive(stack)
            time.sleep(3.0)  # let the loop settle before measuring
            procs = {name: psutil.Process(pid) for name, pid in stack.process_pids().items()}
            for proc in procs.values():
                proc.cpu_percent(None)
            t0 = time.monotonic()
            time.sleep(WINDOW_S)
            elapsed = time.monotonic() - t0
            cpu = {name: proc.cpu_percent(None) / 100.0 for name, proc in procs.items()}
            rss = {name: proc.memory_info().rss / 2**20 for name, proc in procs.items()}
            # PSS splits pages shared between processes (libpython, ROS, Fast DDS) fairly
            pss = {name: proc.memory_full_info().pss / 2**20 for name, proc in procs.items()}
            status = stack.login().get("/api/sim/status").json()
        finally:
            stack.stop()
    car = [name for name in procs if name != "sim"]
    figures = {
        "stack_rss_mb_total_car_processes": round(sum(rss[n] for n in car), 1),
        "stack_pss_mb_total_car_processes": round(sum(pss[n] for n in car), 1),
        "stack_cpu_cores_car_processes_30fps": round(sum(cpu[n] for n in car), 3),
        "stack_sim_cpu_cores": round(cpu.get("sim", 0.0), 3),
        "stack_sim_rss_mb": round(rss.get("sim", 0.0), 1),
        "stack_measure_window_s": round(elapsed, 1),
        "stack_sim_speed_mps": float(status.get("speed", 0.0)),
    }
    figures.update(idle)
    for name in car:
        figures[f"stack_rss_mb_{name}"] = round(rss[name], 1)
        figures[f"stack_cpu_cores_{name}"] = round(cpu[name], 3)
    return figures
