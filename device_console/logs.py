"""`/api/logs/<type>/<n>`: the last lines of an allow-listed log, never a path from the URL.

Types (case-insensitive):
- `STACK`: the stack's own logs, every process log the launcher writes under `<state>/logs/`,
  `tail`-style (a `==> core.log <==` header, then the last lines of each, in the graph's order).
- One type per process log (`CORE`, `SENSORS`, `INFERENCE`, `CONSOLE`, `SIM`, ... any
  `<state>/logs/<name>.log`), and the node names hosted in them (e.g. `SERVO_NODE` -> core).
- `SYS` (the original name; the only one the original and community consoles ask for): on a car
  `/var/log/syslog`, or the systemd journal when there is no syslog file. On the simulated car
  (`make run`) the "system" is the stack, so `SYS` is `STACK` there: a laptop's own log is not the
  car's, and is usually empty or absent.
- `JOURNAL`: `journalctl -n N` (when journalctl exists).
The URL value is only ever used as a dictionary key. `/api/logs` lists the types present, the
stack's first, and names the `default` one (`STACK` when the stack has written logs).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import deque
from pathlib import Path

# Which process log holds which node (the launcher's process layout, launcher/graph.py).
NODE_PROCESS = {
    "servo_node": "core", "ctrl_node": "core", "status_led_node": "core", "battery_node": "core",
    "device_info_node": "core", "usb_monitor_node": "core", "network_monitor_node": "core",
    "model_loader_node": "core", "camera_node": "sensors", "sensor_fusion_node": "sensors",
    "rplidar_node": "sensors", "model_optimizer_node": "inference", "inference_node": "inference",
    "deepracer_navigation_node": "inference", "webserver_publisher_node": "console",
    "camera": "sensors", "lidar": "sensors",
}
# The launcher's processes in start order (other *.log files found in the folder follow, sorted).
PROCESS_LOGS = ("sim", "core", "sensors", "inference", "console")
STACK = "stack"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
NO_SUCH_TYPE = "Type of log does not exist!"
NOT_FOUND = "File Not Found!"


def tail_lines(path: Path, count: int, chunk: int = 64 * 1024) -> list[str]:
    """Last `count` lines of a file, reading backwards (a big syslog is never read whole)."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        pos = handle.tell()
        data = b""
        while pos > 0 and data.count(b"\n") <= count:
            step = min(chunk, pos)
            pos -= step
            handle.seek(pos)
            data = handle.read(step) + data
    lines = data.decode("utf-8", errors="replace").splitlines()
    return list(deque(lines, maxlen=count))


class LogSources:
    def __init__(self, syslog_path: Path, logs_dir: Path, max_lines: int = 1000, simulated: bool = False) -> None:
        self.syslog_path = syslog_path
        self.logs_dir = logs_dir
        self.max_lines = max_lines
        self.simulated = simulated

    def _process_files(self) -> dict[str, Path]:
        files = {name: self.logs_dir / f"{name}.log" for name in PROCESS_LOGS}
        try:
            for entry in self.logs_dir.iterdir():
                if entry.suffix == ".log" and _SAFE_NAME.match(entry.stem) and entry.is_file():
                    files.setdefault(entry.stem.lower(), entry)
        except OSError:
            pass
        return files

    def _present(self) -> list[tuple[str, Path]]:
        """The process logs that exist, in the graph's order, then any other in name order."""
        files = self._process_files()
        order = {name: i for i, name in enumerate(PROCESS_LOGS)}
        names = sorted(files, key=lambda n: (order.get(n, len(order)), n))
        return [(name, files[name]) for name in names if files[name].is_file()]

    def available(self) -> list[str]:
        """The types worth showing: the stack's logs first, then the system's."""
        present = [name.upper() for name, _path in self._present()]
        names = ([STACK.upper()] if present else []) + present + ["SYS"]
        if shutil.which("journalctl"):
            names.append("JOURNAL")
        return names

    def default(self) -> str:
        return STACK.upper() if self._present() else "SYS"

    def read(self, log_type: str, num_lines: int) -> str:
        count = max(0, min(int(num_lines), self.max_lines))
        key = log_type.strip().lower()
        if key == STACK or (key == "sys" and self.simulated):
            return self._stack(count)
        if key == "sys":
            if self.syslog_path.is_file():
                return self._tail(self.syslog_path, count)
            if shutil.which("journalctl"):
                return self._journal(count)
            return NOT_FOUND
        if key == "journal":
            return self._journal(count) if shutil.which("journalctl") else NOT_FOUND
        files = self._process_files()
        process = NODE_PROCESS.get(key, key)
        path = files.get(process)
        if path is None:
            return NO_SUCH_TYPE
        return self._tail(path, count)

    def _stack(self, count: int) -> str:
        """Every process log, `tail`-style; `count` lines in all, shared out between the logs."""
        present = self._present()
        if not present:
            return NOT_FOUND
        if count == 0:
            return ""
        share = max(1, count // len(present))
        parts = []
        for name, path in present:
            try:
                lines = tail_lines(path, share)
            except OSError:
                continue
            parts.append("\n".join([f"==> {name}.log <==", *lines]))
        return "\n\n".join(parts) if parts else NOT_FOUND

    @staticmethod
    def _tail(path: Path, count: int) -> str:
        if count == 0:
            return ""
        try:
            return "\n".join(tail_lines(path, count))
        except OSError:
            return NOT_FOUND

    @staticmethod
    def _journal(count: int) -> str:
        if count == 0:
            return ""
        try:
            done = subprocess.run(["journalctl", "--no-pager", "-q", "-n", str(count)], capture_output=True,
                                  text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return NOT_FOUND
        return done.stdout.rstrip("\n") if done.returncode == 0 else NOT_FOUND
