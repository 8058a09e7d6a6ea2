"""The car's name: after the chassis serial on the first boot only; a name the owner chose is never
replaced (the original renamed the car at every start, so fleet names were lost)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.hostname import (
    HostnameError,
    SimulatedHostname,
    chassis_serial,
    first_boot,
    hostname_from_serial,
    set_hostname,
)

REPO = Path(__file__).resolve().parents[2]


def _dmi(sysfs: Path, serial: str) -> None:
    dmi = sysfs / "class" / "dmi" / "id"
    dmi.mkdir(parents=True, exist_ok=True)
    (dmi / "chassis_serial").write_text(serial + "\n")


def test_first_boot_names_the_car_once_and_the_owners_name_stays(sysfs_root: Path, state_dir: Path) -> None:
    _dmi(sysfs_root, "AMSS 1234_ab")
    car = SimulatedHostname(state_dir / "name.json", initial="deepracer")
    result = first_boot(car)
    assert (result.action, car.current()) == ("renamed", "amss-1234-ab")   # lower-case, '-' for ' ' and '_'
    assert set_hostname("garage-7", car) == "garage-7"
    _dmi(sysfs_root, "OTHER 999")
    assert first_boot(car).action == "done-before"                       # every later boot
    assert car.current() == "garage-7"


def test_a_name_chosen_before_the_first_boot_is_kept(sysfs_root: Path, state_dir: Path) -> None:
    _dmi(sysfs_root, "AMSS-5678")
    car = SimulatedHostname(state_dir / "name.json", initial="car-07")   # e.g. set by a fleet activation
    assert first_boot(car).action == "kept"
    assert car.current() == "car-07"


def test_serial_sources_and_placeholders(sysfs_root: Path, tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nSerial\t\t: 10000000abcdef01\n")
    _dmi(sysfs_root, "To Be Filled By O.E.M.")
    assert chassis_serial(cpuinfo=cpuinfo) == "10000000abcdef01"           # placeholder skipped: CPU serial
    tree = sysfs_root / "firmware" / "devicetree" / "base"
    tree.mkdir(parents=True)
    (tree / "serial-number").write_bytes(b"RPI5-42\0")
    assert chassis_serial(cpuinfo=cpuinfo) == "RPI5-42"
    cpuinfo.write_text("Serial\t\t: 0000000000000000\n")
    (tree / "serial-number").write_text("Default string")
    assert chassis_serial(cpuinfo=cpuinfo) is None
    assert hostname_from_serial("--__--") is None
    with pytest.raises(HostnameError):
        set_hostname("my_car", SimulatedHostname(tmp_path / "n.json"))   # '_' breaks fleet log names


def test_the_car_backend_renames_the_running_system(tmp_path: Path) -> None:
    """`deepracer hostname first-boot` as deepracer-core.service runs it, in a UTS + mount namespace of
    its own (the machine's name and /etc/hosts are untouched): hostnamectl (a stand-in that calls the
    kernel's sethostname, as systemd-hostnamed would) renames the car and /etc/hosts follows."""
    assert os.geteuid() == 0 and shutil.which("unshare"), "needs root and unshare (util-linux)"
    sysfs, state, bin_dir = tmp_path / "sys", tmp_path / "state", tmp_path / "bin"
    _dmi(sysfs, "AMSS 4321")
    bin_dir.mkdir()
    (bin_dir / "hostnamectl").write_text('#!/bin/sh\n[ "$1" = set-hostname ] && exec hostname "$2"\nexit 1\n')
    (bin_dir / "hostnamectl").chmod(0o755)
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1\tlocalhost\n127.0.1.1\tdeepracer\n")
    script = (f'mount --bind {hosts} /etc/hosts && hostname deepracer && '
              f'{sys.executable} -m cli.deepracer hostname first-boot && hostname && '
              f'{sys.executable} -m cli.deepracer hostname first-boot && hostname')
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", DEEPRACER_SYSFS_ROOT=str(sysfs),
               DEEPRACER_STATE_DIR=str(state), DEEPRACER_HARDWARE="real", PYTHONPATH=str(REPO))
    done = subprocess.run(["unshare", "--uts", "--mount", "--propagation", "private", "sh", "-c", script],
                          capture_output=True, text=True, env=env, timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines == ["The car is now called amss-4321, after its chassis serial AMSS 4321.", "amss-4321",
                     "Not the first boot; the car keeps its name amss-4321.", "amss-4321"]
    assert hosts.read_text() == "127.0.0.1\tlocalhost\n127.0.1.1\tamss-4321\n"
