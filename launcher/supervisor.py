"""Process supervisor: start the graph, restart crashes with back-off, stop in order.

- Every process of the graph is an OS process with its own log file (`<logs>/<name>.log`).
- A process that exits while the stack runs is restarted after a back-off that doubles from
  `initial_backoff` up to `max_backoff` and resets once it stayed up for `stable_after` seconds.
  Its `safe_stop` hook runs first, so a crashed actuator process never leaves the car driving.
- One optional process failing never stops the others.
- `stop()` (SIGINT/SIGTERM to the launcher) stops processes in reverse start order: sensors,
  inference and console first, the core process (servo) last, which sets the outputs neutral.
- The state is written to `<state>/run/supervisor.json` for `deepracer status`.
- Every process talks DDS over UDP only, never shared memory (`runtime/dds_transport.py`: a killed
  shared-memory reader could stop a topic for everybody).
- Every process gets the same `DEEPRACER_RUN_ID` (new for each supervisor), so a restarted process
  can restore what the user set earlier in this run (`runtime/run_state.py`).
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from launcher.graph import Graph, ProcessSpec
from runtime.atomic import atomic_write_text
from runtime.dds_transport import stack_process_env
from runtime.run_state import RUN_ID_ENV


def _terminate_with_supervisor() -> None:
    """In each child: SIGTERM (an orderly stop, outputs neutral) if the supervisor itself dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class ProcessState:
    spec: ProcessSpec
    popen: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    backoff: float = 0.0
    next_start: float = 0.0
    last_exit: int | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen is not None and self.popen.poll() is None else None

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


class Supervisor:
    def __init__(self, graph: Graph, logs_dir: Path, run_dir: Path, env: dict[str, str] | None = None,
                 initial_backoff: float = 0.5, max_backoff: float = 30.0, stable_after: float = 30.0,
                 stop_timeout: float = 1.5, on_event: Callable[[str], None] | None = None) -> None:
        self.graph = graph
        self.logs_dir = logs_dir
        self.run_dir = run_dir
        self.env = stack_process_env(dict(os.environ if env is None else env))  # DDS over UDP only
        self.run_id = uuid.uuid4().hex
        self.env[RUN_ID_ENV] = self.run_id
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.stable_after = stable_after
        self.stop_timeout = stop_timeout
        self.on_event = on_event or (lambda text: print(f"[launcher] {text}", flush=True))
        self.states = {spec.name: ProcessState(spec) for spec in graph.start_order()}
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.started_at = time.time()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for spec in self.graph.start_order():
            self._spawn(self.states[spec.name])
        self._write_status()

    def _spawn(self, state: ProcessState) -> None:
        spec = state.spec
        if state.log is None or state.log.closed:
            state.log = open(self.logs_dir / f"{spec.name}.log", "ab", buffering=0)
        state.log.write(f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {spec.name} =====\n".encode())
        env = dict(self.env)
        env.update(spec.env)
        env["DEEPRACER_PROCESS"] = spec.name
        state.popen = subprocess.Popen(spec.argv(self.graph.sim, self.graph.source), stdout=state.log,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                       start_new_session=True, preexec_fn=_terminate_with_supervisor)
        state.started_at = time.monotonic()
        self.on_event(f"started {spec.name} (pid {state.popen.pid})")

    def poll(self) -> None:
        """One supervision step: notice exits, run safe-stop hooks, restart when the back-off expired."""
        if self._stopping.is_set():
            return
        now = time.monotonic()
        changed = False
        with self._lock:
            for state in self.states.values():
                if state.popen is not None and state.popen.poll() is not None:
                    code = state.popen.returncode
                    state.last_exit = code
                    uptime = now - state.started_at
                    state.popen = None
                    self._safe_stop(state.spec)
                    if uptime >= self.stable_after:
                        state.backoff = self.initial_backoff
                    else:
                        state.backoff = min(self.max_backoff, max(self.initial_backoff, state.backoff * 2))
                    state.next_start = now + state.backoff
                    state.history.append({"exit": code, "uptime_s": round(uptime, 2), "at": time.time()})
                    del state.history[:-10]
                    kind = "optional" if not state.spec.required else "required"
                    self.on_event(f"{state.spec.name} ({kind}) exited with {code} after {uptime:.1f} s; "
                                  f"restarting in {state.backoff:.1f} s")
                    changed = True
                if state.popen is None and not self._stopping.is_set() and now >= state.next_start:
                    state.restarts += 1
                    self._spawn(state)
                    changed = True
        if changed:
            self._write_status()

    def run_forever(self, poll_interval: float = 0.2) -> None:
        while not self._stopping.is_set():
            self.poll()
            self._stopping.wait(poll_interval)

    def stop(self) -> None:
        """Stop every process: all but the last in parallel, then the core last (actuators neutral)."""
        self._stopping.set()
        with self._lock:
            order = [self.states[spec.name] for spec in self.graph.stop_order()]
            core = [s for s in order if s.spec.safe_stop]
            others = [s for s in order if not s.spec.safe_stop]
            self._terminate(others)
            self._terminate(core)
            for state in order:
                if state.spec.safe_stop:
                    self._safe_stop(state.spec)
                if state.log is not None:
                    state.log.close()
        self._write_status()

    def _terminate(self, states: list[ProcessState]) -> None:
        running = [s for s in states if s.alive()]
        for state in running:
            assert state.popen is not None
            try:
                os.killpg(state.popen.pid, signal.SIGINT)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + self.stop_timeout
        for state in running:
            assert state.popen is not None
            try:
                state.popen.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.on_event(f"{state.spec.name} did not stop within {self.stop_timeout} s; killing it")
                try:
                    os.killpg(state.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                state.popen.wait()
            state.last_exit = state.popen.returncode
            self.on_event(f"stopped {state.spec.name}")

    def _safe_stop(self, spec: ProcessSpec) -> None:
        if not spec.safe_stop:
            return
        module_name, _, func_name = spec.safe_stop.partition(":")
        try:
            func = getattr(importlib.import_module(module_name), func_name)
            func()
        except Exception as exc:  # the hook must never take the supervisor down
            self.on_event(f"safe-stop hook {spec.safe_stop} failed: {exc!r}")

    # -- status ------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        now = time.monotonic()
        return {
            "supervisor_pid": os.getpid(),
            "started_at": self.started_at,
            "sim": self.graph.sim,
            "stopping": self._stopping.is_set(),
            "processes": {
                name: {
                    "pid": state.pid,
                    "alive": state.alive(),
                    "required": state.spec.required,
                    "restarts": state.restarts,
                    "uptime_s": round(now - state.started_at, 1) if state.alive() else 0.0,
                    "last_exit": state.last_exit,
                    "nodes": [n.fqn for n in state.spec.nodes],
                    "log": str(self.logs_dir / f"{name}.log"),
                    "description": state.spec.description,
                }
                for name, state in self.states.items()
            },
        }

    def _write_status(self) -> None:
        try:
            atomic_write_text(self.run_dir / "supervisor.json", json.dumps(self.snapshot(), indent=2))
        except OSError:
            pass
