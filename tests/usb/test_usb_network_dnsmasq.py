"""The network over the USB cable, for real: the car's side in a network namespace of its own, a
computer in another, joined by veth pairs standing in for the gadget's RNDIS (usb0) and ECM (usb1)
links. The OTG service (`python -m drivers.usb_network serve`, what otg_control_node runs) follows a
fake configfs/UDC tree; a real dnsmasq hands out addresses to busybox's DHCP client and answers
`deepracer.aws` to busybox's nslookup.

Needs root and `ip netns` (the CI machine has both): the test fails, never skips, without them.
"""

from __future__ import annotations

import ipaddress
import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_sysfs import make_usb_gadget_tree
from tests.support.ros import wait_until

REPO = Path(__file__).resolve().parents[2]
LEASE_SCRIPT = """#!/bin/sh
[ "$1" = bound ] || exit 0
env | grep -E '^(ip|subnet|dns|router|domain|lease)=' > "$LEASE_DIR/$interface.lease"
"""


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=20)


class Cable:
    """Two namespaces: the car (`usb0`, `usb1`) and a computer (`eth0`, `eth1`)."""

    def __init__(self) -> None:
        tag = f"{os.getpid() % 100000}"
        self.car, self.pc = f"drcar{tag}", f"drpc{tag}"

    def __enter__(self) -> Cable:
        assert os.geteuid() == 0 and shutil.which("ip"), "this test needs root and iproute2 (ip netns)"
        for tool in ("dnsmasq", "busybox"):
            assert shutil.which(tool), f"{tool} missing: scripts/bootstrap.sh installs it"
        _ip("netns", "add", self.car)
        _ip("netns", "add", self.pc)
        for n, (car_if, pc_if) in enumerate((("usb0", "eth0"), ("usb1", "eth1"))):
            a, b = f"drc{n}{self.car[5:]}"[:15], f"drp{n}{self.car[5:]}"[:15]
            _ip("link", "add", a, "type", "veth", "peer", "name", b)
            _ip("link", "set", a, "netns", self.car, "name", car_if)
            _ip("link", "set", b, "netns", self.pc, "name", pc_if)
            _ip("-n", self.pc, "link", "set", pc_if, "up")
        for ns in (self.car, self.pc):
            _ip("-n", ns, "link", "set", "lo", "up")
        return self

    def __exit__(self, *exc: object) -> None:
        for ns in (self.car, self.pc):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=20)

    def on_pc(self, *argv: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["ip", "netns", "exec", self.pc, *argv], capture_output=True, text=True,
                              timeout=timeout)

    def car_addresses(self, interface: str) -> str:
        return subprocess.run(["ip", "-n", self.car, "-4", "addr", "show", "dev", interface], capture_output=True,
                              text=True, timeout=20).stdout


class Service:
    """The OTG service in the car's namespace; its log lines collected as they come."""

    def __init__(self, cable: Cable, env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", cable.car, sys.executable, "-u", "-m", "drivers.usb_network", "serve",
             "--poll", "0.1"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def wait_for(self, text: str, timeout: float = 20) -> None:
        wait_until(lambda: any(text in line for line in self.lines), timeout=timeout,
                   what=f"{text!r} in the service log:\n" + "\n".join(self.lines))

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.wait(timeout=20)


@pytest.fixture
def cable() -> Iterator[Cable]:
    with Cable() as made:
        yield made


def _lease(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def _dhcp(cable: Cable, interface: str, lease_dir: Path, script: Path) -> dict[str, str]:
    done = cable.on_pc("env", f"LEASE_DIR={lease_dir}", "busybox", "udhcpc", "-i", interface, "-n", "-q", "-f",
                       "-t", "15", "-T", "1", "-s", str(script))
    assert done.returncode == 0, done.stdout + done.stderr
    lease = _lease(lease_dir / f"{interface}.lease")
    prefix = ipaddress.IPv4Network(f"0.0.0.0/{lease['subnet']}").prefixlen
    _ip("-n", cable.pc, "addr", "add", f"{lease['ip']}/{prefix}", "dev", interface)
    return lease


def _resolve(cable: Cable, server: str, name: str = "deepracer.aws") -> list[str]:
    done = cable.on_pc("busybox", "nslookup", "-type=A", name, server)
    assert done.returncode == 0, done.stdout + done.stderr
    answer = done.stdout.split("Name:", 1)[-1]
    return [line.split(":", 1)[1].strip() for line in answer.splitlines() if line.startswith("Address")]


def test_computer_gets_an_address_and_finds_deepracer_aws(cable: Cable, tmp_path: Path) -> None:
    sysfs, state = tmp_path / "sys", tmp_path / "state"
    udc = make_usb_gadget_tree(sysfs)
    for interface in ("usb0", "usb1"):                       # the kernel's net devices of the bound gadget
        (sysfs / "class" / "net" / interface).mkdir(parents=True)
    env = dict(os.environ, DEEPRACER_SYSFS_ROOT=str(sysfs), DEEPRACER_STATE_DIR=str(state),
               DEEPRACER_HARDWARE="real", PYTHONPATH=str(REPO))
    script = tmp_path / "lease.sh"
    script.write_text(LEASE_SCRIPT)
    script.chmod(0o755)
    gadget = sysfs / "kernel/config/usb_gadget/deepracer"

    service = Service(cable, env)
    try:
        service.wait_for("bound to dwc3.0.auto")
        assert (gadget / "UDC").read_text().strip() == "dwc3.0.auto"
        assert "10.0.0.1" not in cable.car_addresses("usb0")          # nothing until a computer is there

        (udc / "state").write_text("configured\n")                   # the computer configured the gadget
        service.wait_for("USB network up")
        rndis = _dhcp(cable, "eth0", tmp_path, script)
        ecm = _dhcp(cable, "eth1", tmp_path, script)
        assert (rndis["ip"], rndis["subnet"], rndis["dns"]) == ("10.0.0.2", "255.255.255.252", "10.0.0.1")
        assert (ecm["ip"], ecm["dns"]) == ("10.0.1.2", "10.0.1.1")
        assert "router" not in rndis and "router" not in ecm          # the computer keeps its own internet
        assert rndis["domain"] == "deepracer.net"
        # deepracer.aws is the car, at its address on the link the question came on
        assert _resolve(cable, "10.0.0.1") == ["10.0.0.1"]
        assert _resolve(cable, "10.0.1.1") == ["10.0.1.1"]

        pid = int((state / "run/usb-network/dnsmasq.pid").read_text())
        (udc / "state").write_text("not attached\n")                # cable pulled
        service.wait_for("USB cable link down")
        wait_until(lambda: not Path(f"/proc/{pid}").exists(), timeout=10, what="dnsmasq stopped")
        assert "10.0.0.1" not in cable.car_addresses("usb0")
    finally:
        assert service.stop() == 0, "\n".join(service.lines)
    assert "USB network stopped" in service.lines[-1]
    assert not gadget.exists()                                       # the gadget is removed at stop
