"""`/api/logs/<type>/<n>`: the last lines of an allow-listed log, never a path from the URL.

Types (case-insensitive):
- `SYS` (the original name): `/var/log/syslog`, or the systemd journal when there is no syslog file.
- `JOURNAL`: `journalctl -n N` (when journalctl exists).
- One type per process log the launcher writes under `<state>/logs/` (`CONSOLE`, `CORE`, `CAMERA`,
  `LIDAR`, `INFERENCE`, `SIM`, ... ), and the node names hosted in them (e.g. `SERVO_NODE` → core).
The URL value is only ever used as a dictionary key.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import deque
from pathlib import Path

# Which process log holds which node (the launcher's process layout).
NODE_PROCESS = {
    "servo_node": "core", "ctrl_node": "core", "status_led_node": "core", "battery_node": "core",
    "device_info_node": "core", "usb_monitor_node": "core", "network_monitor_node": "core",
    "model_loader_node": "core", "camera_node": "camera", "sensor_fusion_node": "camera",
    "rplidar_node": "lidar", "model_optimizer_node": "inference", "inference_node": "inference",
    "deepracer_navigation_node": "inference", "webserver_publisher_node": "console",
}
PROCESS_LOGS = ("console", "core", "camera", "lidar", "inference", "sim", "launcher")
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
    def __init__(self, syslog_path: Path, logs_dir: Path, max_lines: int = 1000) -> None:
        self.syslog_path = syslog_path
        self.logs_dir = logs_dir
        self.max_lines = max_lines

    def _process_files(self) -> dict[str, Path]:
        files = {name: self.logs_dir / f"{name}.log" for name in PROCESS_LOGS}
        try:
            for entry in self.logs_dir.iterdir():
                if entry.suffix == ".log" and _SAFE_NAME.match(entry.stem) and entry.is_file():
                    files.setdefault(entry.stem.lower(), entry)
        except OSError:
            pass
        return files

    def available(self) -> list[str]:
        names = ["SYS"]
        if shutil.which("journalctl"):
            names.append("JOURNAL")
        names += sorted(name.upper() for name, path in self._process_files().items() if path.is_file())
        return names

    def read(self, log_type: str, num_lines: int) -> str:
        count = max(0, min(int(num_lines), self.max_lines))
        key = log_type.strip().lower()
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
