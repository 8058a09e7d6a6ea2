"""A CPU cgroup limited to a share of the machine, to run the car's processes on an Atom-sized budget.

cgroup v2 (`cpu.max` in a unified hierarchy whose root offers the `cpu` controller) or v1 (the `cpu`
controller's `cpu.cfs_quota_us` / `cpu.cfs_period_us`), whichever the machine has. Creating one needs
root (or a delegated subtree); `CpuLimit.create` raises `CgroupUnavailable` with the reason otherwise,
so a benchmark can say why it skipped that part.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


class CgroupUnavailable(RuntimeError):
    """No CPU cgroup can be made here (no controller, no permission)."""


@dataclass
class CpuLimit:
    path: Path            # the cgroup's folder
    parent: Path          # where released processes go
    version: int          # 1 or 2

    @classmethod
    def create(cls, name: str, cores: float, period_us: int = 100_000,
               root: Path = CGROUP_ROOT) -> CpuLimit:
        quota_us = max(1000, int(cores * period_us))
        v2_root = root if (root / "cgroup.controllers").exists() else None
        if v2_root is not None and "cpu" in (v2_root / "cgroup.controllers").read_text().split():
            path = v2_root / name
            try:
                subtree = (v2_root / "cgroup.subtree_control").read_text().split()
                if "cpu" not in subtree:
                    (v2_root / "cgroup.subtree_control").write_text("+cpu")
                path.mkdir(exist_ok=True)
                (path / "cpu.max").write_text(f"{quota_us} {period_us}")
            except OSError as error:
                raise CgroupUnavailable(f"cgroup v2 at {v2_root}: {error}") from error
            return cls(path, v2_root, 2)
        v1_root = root / "cpu"
        if not (v1_root / "cpu.cfs_quota_us").exists():
            v1_root = root / "cpu,cpuacct"
        if not (v1_root / "cpu.cfs_quota_us").exists():
            raise CgroupUnavailable(f"no cgroup v2 cpu controller and no v1 cpu hierarchy under {root}")
        path = v1_root / name
        try:
            path.mkdir(exist_ok=True)
            (path / "cpu.cfs_period_us").write_text(str(period_us))
            (path / "cpu.cfs_quota_us").write_text(str(quota_us))
        except OSError as error:
            raise CgroupUnavailable(f"cgroup v1 at {v1_root}: {error}") from error
        return cls(path, v1_root, 1)

    @property
    def procs_file(self) -> Path:
        return self.path / "cgroup.procs"

    def limit_cores(self) -> float:
        if self.version == 2:
            quota, period = (self.path / "cpu.max").read_text().split()
            return int(quota) / int(period)
        return int((self.path / "cpu.cfs_quota_us").read_text()) / int((self.path / "cpu.cfs_period_us").read_text())

    def join(self) -> None:
        """Move the calling process in (for `preexec_fn`: its children are born inside)."""
        self.procs_file.write_text(str(os.getpid()))

    def release(self, pid: int) -> None:
        """Move a process (all its threads) back out, to the parent cgroup."""
        (self.parent / "cgroup.procs").write_text(str(pid))

    def pids(self) -> list[int]:
        return [int(line) for line in self.procs_file.read_text().split()]

    def throttling(self) -> dict[str, float]:
        """Periods, throttled periods and seconds throttled so far (cpu.stat)."""
        stat = dict(line.split() for line in (self.path / "cpu.stat").read_text().splitlines() if line.strip())
        if self.version == 2:
            return {"periods": float(stat.get("nr_periods", 0)), "throttled": float(stat.get("nr_throttled", 0)),
                    "throttled_s": float(stat.get("throttled_usec", 0)) / 1e6}
        return {"periods": float(stat.get("nr_periods", 0)), "throttled": float(stat.get("nr_throttled", 0)),
                "throttled_s": float(stat.get("throttled_time", 0)) / 1e9}

    def remove(self) -> None:
        """Release whatever is still inside, then delete the cgroup."""
        try:
            for pid in self.pids():
                try:
                    self.release(pid)
                except OSError:
                    pass          # the process is gone
            self.path.rmdir()
        except OSError:
            pass
