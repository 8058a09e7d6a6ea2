"""The compute module for the device information and status (community fields), no ROS.

`read_system_metrics()` (a `vehicle.status.SystemMetrics`): CPU load %, CPU temperature (deg C), current/max CPU frequency (MHz),
memory used %, free disk % of the root filesystem, via psutil; a value the platform does not expose
is 0.0 (as the community node reports it).

`read_system_description()`: CPU model, RAM and disk size, OS and ROS distribution, in the forms the
community's device_info_node reports them (GetDeviceInfoSrv), read from /proc, os-release and
statvfs (no shell commands).

`LatencyTracker`: end-to-end latency of driving commands, camera capture -> PWM written, as the servo
node measures it (LatencyMeasureMsg on /servo_pkg/latency, one per autonomous command). Keeps a
window of recent samples; a pause longer than `gap_s` starts a new window (so idle time never drags
the statistics). `stats()` -> mean and 95th percentile in ms, and the command rate in fps.
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from vehicle.status import SystemMetrics

UNKNOWN = "--"
PYPI_ROS_DISTRO = "kilted"  # the ROS 2 wheels of requirements-ros2.txt, when no system ROS is sourced


def _cpu_temperature() -> float:
    import psutil

    try:
        sensors = psutil.sensors_temperatures()  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        sensors = {}
    for name in ("coretemp", "k10temp", "cpu_thermal", "soc_thermal", "acpitz"):
        if sensors.get(name):
            return float(sensors[name][0].current)
    for readings in sensors.values():
        if readings:
            return float(readings[0].current)
    try:
        return float(Path("/sys/class/thermal/thermal_zone0/temp").read_text().strip()) / 1000.0
    except (OSError, ValueError):
        return 0.0


def read_system_metrics(disk_path: str = "/") -> SystemMetrics:
    import psutil

    def safe(getter, default: float = 0.0) -> float:  # type: ignore[no-untyped-def]
        try:
            value = float(getter())
        except Exception:
            return default
        return value if math.isfinite(value) else default

    freq = None
    try:
        freq = psutil.cpu_freq()
    except Exception:
        freq = None
    current = float(freq.current) if freq else 0.0
    maximum = float(freq.max) if freq and freq.max else current
    return SystemMetrics(
        cpu_percent=safe(lambda: psutil.cpu_percent(interval=None)),
        cpu_temp=safe(_cpu_temperature),
        cpu_freq=current,
        cpu_freq_max=maximum,
        memory_usage=safe(lambda: psutil.virtual_memory().percent),
        free_disk=safe(lambda: 100.0 - psutil.disk_usage(disk_path).percent),
    )


@dataclass(frozen=True)
class LatencyStats:
    latency_mean: float = 0.0
    latency_p95: float = 0.0
    fps_mean: float = 0.0
    samples: int = 0


class LatencyTracker:
    """Window of (latency ms, arrival ns) samples."""

    def __init__(self, window: int = 300, gap_s: float = 0.5) -> None:
        self._samples: deque[tuple[float, int]] = deque(maxlen=window)
        self.gap_ns = int(gap_s * 1e9)
        self._lock = threading.Lock()

    def add(self, latency_ms: float, arrival_ns: int | None = None) -> float:
        """Record one command's latency (ms), measured when it arrived (`arrival_ns`, monotonic; now)."""
        arrival_ns = time.monotonic_ns() if arrival_ns is None else arrival_ns
        latency_ms = float(latency_ms)
        with self._lock:
            if self._samples and arrival_ns - self._samples[-1][1] > self.gap_ns:
                self._samples.clear()
            self._samples.append((latency_ms, arrival_ns))
        return latency_ms

    def stats(self, now_ns: int | None = None) -> LatencyStats:
        """Statistics of the current window; empty (zeros) if the last sample is older than the gap."""
        with self._lock:
            samples = list(self._samples)
        if not samples:
            return LatencyStats()
        if now_ns is not None and now_ns - samples[-1][1] > self.gap_ns:
            return LatencyStats()
        values = sorted(s[0] for s in samples)
        mean = sum(values) / len(values)
        p95 = _percentile(values, 95.0)
        span_ns = samples[-1][1] - samples[0][1]
        fps = (len(samples) - 1) / (span_ns / 1e9) if span_ns > 0 else 0.0
        return LatencyStats(latency_mean=mean, latency_p95=p95, fps_mean=fps, samples=len(samples))


def _cpu_model(cpuinfo: Path) -> str:
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return UNKNOWN
    match = re.search(r"^(?:model name|Model)\s*:\s*(.+)$", text, re.MULTILINE)
    if not match:
        return UNKNOWN
    name = re.sub(r"\((R|TM)\)", "", match.group(1))
    return re.sub(r"\s+", " ", name).strip() or UNKNOWN


def _ram_mib(meminfo: Path) -> str:
    try:
        match = re.search(r"^MemTotal:\s+(\d+) kB", meminfo.read_text(), re.MULTILINE)
    except OSError:
        return UNKNOWN
    return str(int(match.group(1)) // 1024) if match else UNKNOWN


def human_size(size: int) -> str:
    """Bytes as `df -h` prints them (powers of 1024, rounded up, one decimal below 10), plus "B"."""
    value, unit = float(size), ""
    for next_unit in ("K", "M", "G", "T", "P"):
        if value < 1024:
            break
        value, unit = value / 1024, next_unit
    text = f"{math.ceil(value * 10) / 10:.1f}" if value < 10 and unit else str(math.ceil(value))
    return f"{text}{unit}B"


def _disk_size(path: str) -> str:
    try:
        st = os.statvfs(path)
    except OSError:
        return UNKNOWN
    return human_size(st.f_blocks * st.f_frsize)


def _os_version(os_release: Path) -> str:
    try:
        match = re.search(r"^PRETTY_NAME=(.*)$", os_release.read_text(), re.MULTILINE)
    except OSError:
        return UNKNOWN
    if not match:
        return UNKNOWN
    return match.group(1).strip().strip('"\'') or UNKNOWN


def read_system_description(disk_path: str = "/", proc: Path = Path("/proc"),
                            os_release: Path = Path("/etc/os-release")) -> dict[str, str]:
    """cpu_model, ram_amount, disk_amount, os_version, ros_distro as the community reports them."""
    return {
        "cpu_model": _cpu_model(proc / "cpuinfo"),
        "ram_amount": _ram_mib(proc / "meminfo"),
        "disk_amount": _disk_size(disk_path),
        "os_version": _os_version(os_release),
        "ros_distro": os.environ.get("ROS_DISTRO", "").strip() or PYPI_ROS_DISTRO,
    }


def _percentile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default method)."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    position = (len(sorted_values) - 1) * q / 100.0
    lower = math.floor(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    fraction = position - lower
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * fraction
