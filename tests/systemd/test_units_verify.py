"""The systemd units pass `systemd-analyze verify` and keep the original car's behaviour."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from cli.install import UNITS, render_unit

UNITS_DIR = Path(__file__).resolve().parents[2] / "systemd"


def load(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNITS_DIR / name)
    return parser


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> list[Path]:
    """The units as installed with a prefix whose executables exist (systemd-analyze checks them)."""
    root = tmp_path_factory.mktemp("units")
    prefix = root / "opt-deepracer"
    (prefix / "bin").mkdir(parents=True)
    wrapper = prefix / "bin" / "deepracer"
    wrapper.write_text("#!/bin/sh\nexit 0\n")
    wrapper.chmod(0o755)
    out = []
    for name in UNITS:
        path = root / name
        path.write_text(render_unit((UNITS_DIR / name).read_text(), prefix))
        out.append(path)
    return out


def test_units_pass_systemd_analyze_verify(rendered):
    tool = shutil.which("systemd-analyze")
    assert tool, "systemd-analyze is needed (package systemd)"
    proc = subprocess.run([tool, "verify", *map(str, rendered)], capture_output=True, text=True, timeout=60)
    messages = [line for line in (proc.stdout + proc.stderr).splitlines()
                if any(unit in line for unit in UNITS)]
    assert proc.returncode == 0 and not messages, proc.stdout + proc.stderr
    assert str(rendered[0].parent / "opt-deepracer") in rendered[1].read_text()


def test_core_unit_like_the_original():
    unit = load("deepracer-core.service")
    service = unit["Service"]
    assert service["ExecStart"] == "/opt/deepracer/bin/deepracer run --hardware"
    assert service["Restart"] == "on-failure"
    assert service["KillSignal"] == "SIGINT"
    assert service["KillMode"] == "mixed"            # the launcher stops its processes in order
    assert "performance" in service["ExecStartPre"] and "scaling_governor" in service["ExecStartPre"]
    assert "powersave" in service["ExecStopPost"]
    # an update a power cut interrupted is rolled back before the stack starts (updates/updater.py)
    assert "ExecStartPre=-/opt/deepracer/bin/deepracer update --recover" in \
        (UNITS_DIR / "deepracer-core.service").read_text().splitlines()
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    # nothing that would cut the hardware off: devices, sysfs, kernel tunables stay reachable
    for option in ("PrivateDevices", "DevicePolicy", "DeviceAllow", "ProtectKernelTunables", "ProtectSystem",
                   "ProtectClock"):
        assert option not in service, option
    assert service["NoNewPrivileges"] == "yes" and service["PrivateTmp"] == "yes"


def test_usb_provisioner_unit_runs_without_the_stack():
    unit = load("deepracer-usb-provisioner.service")
    service = unit["Service"]
    assert service["ExecStart"] == "/opt/deepracer/bin/deepracer usb serve"
    assert service["Type"] == "notify"
    assert service["Restart"] == "always"
    assert "deepracer-core" not in unit["Unit"].get("Requires", "") + unit["Unit"].get("After", "")
    assert unit["Unit"]["Before"] == "deepracer-core.service"
    # its mounts must be visible to the stack: no option that creates a private mount namespace
    for option in ("ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices", "PrivateMounts",
                   "ReadWritePaths", "ReadOnlyPaths", "DeviceAllow", "ProtectKernelTunables"):
        assert option not in service, option
    assert "CAP_SYS_ADMIN" in service["CapabilityBoundingSet"]        # mount(8)
    assert "AF_NETLINK" in service["RestrictAddressFamilies"]         # udev events
    assert load("deepracer-core.service")["Service"]["Environment"] == service["Environment"]


def test_the_governor_commands_write_every_cpu(tmp_path):
    """The ExecStartPre/ExecStopPost shell lines, run against a fake cpufreq tree."""
    cpus = []
    for n in range(2):
        gov = tmp_path / f"sys/devices/system/cpu/cpu{n}/cpufreq/scaling_governor"
        gov.parent.mkdir(parents=True)
        gov.write_text("powersave\n")
        cpus.append(gov)
    (tmp_path / "sys/devices/system/cpu/cpufreq").mkdir()   # not a cpu: ignored
    service = load("deepracer-core.service")["Service"]
    for key, expected in (("ExecStartPre", "performance"), ("ExecStopPost", "powersave")):
        command = service[key].lstrip("-").replace("$$", "$").replace("/sys/", f"{tmp_path}/sys/")
        argv = ["/bin/sh", "-c", command.split("-c ", 1)[1].strip("'")]
        assert subprocess.run(argv, timeout=10).returncode == 0
        assert [c.read_text().strip() for c in cpus] == [expected, expected]
