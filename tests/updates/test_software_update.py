"""Software update with rollback: two bundles built here, installed side by side for real (offline pip
into a venv per release), `current` switched, a restart, a health check that reads the installed
release, and the previous release back by itself when the check fails."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.updates.bundles import make_bundle, tamper
from updates.bundle import BundleError, machine_arch, python_tag, verify_bundle
from updates.health import HealthReport
from updates.releases import ReleaseStore, pip_provision
from updates.updater import TRIAL_FILE, UpdateError, Updater, read_status


class Car:
    """The stack as the updater sees it: a restart counter and a health check that runs the current
    release's Python and asks its installed package whether it is healthy."""

    def __init__(self, prefix: Path) -> None:
        self.prefix = prefix
        self.restarts = 0

    def restart(self) -> None:
        self.restarts += 1

    def running(self) -> tuple[str, bool]:
        python = self.prefix / "current" / "venv" / "bin" / "python"
        out = subprocess.run([str(python), "-c", "import drprobe; print(drprobe.VERSION, drprobe.HEALTHY)"],
                             capture_output=True, text=True, check=True).stdout.split()
        return out[0], out[1] == "True"

    def health(self, since: float) -> HealthReport:
        version, healthy = self.running()
        return HealthReport(problems=[] if healthy else [f"{version} does not start"], checked=["probe"])


class OfflineNetwork:
    """A car on no network (the stick carries no wifi-creds.txt; only device-status.txt asks)."""

    def current_ssid(self) -> str:
        return ""

    def connect_detailed(self, ssid: str, password: str = "", interface: str | None = None) -> None:
        raise AssertionError("no Wi-Fi set-up was asked for")

    def visible_ssids(self) -> list[str]:
        return []

    def interface_addresses(self) -> list[tuple[str, str]]:
        return []


def _updater(prefix: Path, car: Car, provision=pip_provision) -> Updater:
    return Updater(ReleaseStore(prefix), restart=car.restart, health=car.health, provision=provision)


def _snapshot(prefix: Path) -> tuple[str, list[str]]:
    return os.readlink(prefix / "current"), sorted(p.name for p in (prefix / "releases").iterdir())


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("bundles")
    return {"0.1.0": make_bundle(out, "0.1.0"), "0.2.0": make_bundle(out, "0.2.0"),
            "0.3.0-broken": make_bundle(out / "broken", "0.3.0", healthy=False)}


@pytest.fixture(scope="module")
def installed_010(tmp_path_factory: pytest.TempPathFactory, bundles: dict[str, Path]) -> Path:
    """A car with 0.1.0 installed by the updater (the first install: nothing to roll back to)."""
    prefix = tmp_path_factory.mktemp("car") / "opt"
    car = Car(prefix)
    result = _updater(prefix, car).install_bundle(bundles["0.1.0"])
    assert (result.previous, car.restarts) == (None, 1)
    return prefix


@pytest.fixture
def car_on_010(tmp_path: Path, installed_010: Path) -> tuple[Path, Car]:
    """A copy of that car for one test (a venv copied with its links works where it lands)."""
    prefix = tmp_path / "opt"
    shutil.copytree(installed_010, prefix, symlinks=True)
    car = Car(prefix)
    assert car.running() == ("0.1.0", True)
    return prefix, car


def test_update_then_a_failed_health_check_rolls_back(car_on_010: tuple[Path, Car], bundles: dict[str, Path]) -> None:
    prefix, car = car_on_010
    updater = _updater(prefix, car)
    result = updater.install_bundle(bundles["0.2.0"])
    assert (result.version, result.previous, result.healthy) == ("0.2.0", "0.1.0", True)
    assert car.running() == ("0.2.0", True) and car.restarts == 1
    assert _snapshot(prefix) == ("releases/0.2.0", ["0.1.0", "0.2.0"])  # side by side
    assert (prefix / "current" / "interfaces" / "deepracer_interfaces_pkg" / "share" / "version.txt").read_text() \
        == "deepracer_interfaces_pkg for 0.2.0\n"
    assert read_status(prefix)["state"] == "complete" and read_status(prefix)["pct"] == 100

    with pytest.raises(UpdateError, match="0.3.0 failed its health check.*rolled back to 0.2.0"):
        updater.install_bundle(bundles["0.3.0-broken"])
    assert car.running() == ("0.2.0", True)  # the previous release is back by itself
    assert car.restarts == 3  # restarted into 0.3.0, then back into 0.2.0
    assert os.readlink(prefix / "current") == "releases/0.2.0"
    status = read_status(prefix)
    assert status["rolled_back"] is True and status["state"] == "unknown" and "0.3.0 does not start" in status["error"]
    assert not (prefix / TRIAL_FILE).exists()


def test_refused_bundles_change_nothing(car_on_010: tuple[Path, Car], bundles: dict[str, Path], tmp_path: Path) -> None:
    prefix, car = car_on_010
    updater = _updater(prefix, car)
    before = _snapshot(prefix)
    other_arch = "aarch64" if machine_arch() != "aarch64" else "x86_64"
    cases = {
        "checksum mismatch for wheels/drprobe-0.2.0": tamper(bundles["0.2.0"], tmp_path),
        f"built for {other_arch}": make_bundle(tmp_path / "arch", "0.2.0", arch=other_arch),
        "0.0.9 is older than the running 0.1.0: a downgrade needs --force": make_bundle(tmp_path / "old", "0.0.9"),
        "0.1.0 is already installed": bundles["0.1.0"],
    }
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    cases["not a readable bundle"] = junk
    for message, bundle in cases.items():
        with pytest.raises(UpdateError, match=message):
            updater.install_bundle(bundle)
        assert _snapshot(prefix) == before, message
        assert read_status(prefix)["error"] and read_status(prefix)["state"] == "unknown"
    assert car.restarts == 0 and car.running() == ("0.1.0", True)
    assert not [p for p in prefix.iterdir() if p.name.startswith(".staging")]
    # a downgrade on purpose
    result = updater.install_bundle(cases["0.0.9 is older than the running 0.1.0: a downgrade needs --force"],
                                    force=True)
    assert result.version == "0.0.9" and car.running() == ("0.0.9", True)


def test_bundle_layout_is_checked_before_anything_is_unpacked_outside_staging(tmp_path: Path) -> None:
    import io
    import tarfile

    evil = tmp_path / "deepracer-9.9.9.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("deepracer-9.9.9/../../escape.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(BundleError, match="unsafe path"):
        verify_bundle(evil, tmp_path / "staging")
    assert not (tmp_path / "escape.txt").exists()


def test_interrupted_install_leaves_the_old_release_current(car_on_010: tuple[Path, Car],
                                                            bundles: dict[str, Path]) -> None:
    """Power cut while the new release is being built: only a hidden incoming folder is left."""
    prefix, car = car_on_010

    class PowerCut(BaseException):
        pass

    def cut_mid_install(bundle, release: Path) -> None:
        (release / "venv").mkdir()
        (release / "venv" / "half-written").write_bytes(b"\0" * 1024)
        raise PowerCut

    with pytest.raises(PowerCut):
        _updater(prefix, car, provision=cut_mid_install).install_bundle(bundles["0.2.0"])
    assert _snapshot(prefix) == ("releases/0.1.0", ["0.1.0"])
    assert car.running() == ("0.1.0", True)


def test_a_trial_interrupted_by_a_power_cut_is_rolled_back_at_the_next_start(car_on_010: tuple[Path, Car]) -> None:
    prefix, car = car_on_010
    store = ReleaseStore(prefix)
    shutil.copytree(store.path("0.1.0"), store.path("0.2.0"), symlinks=True)  # a complete 0.2.0 release
    store.switch("0.2.0")  # the switch happened, then the power went before the health check passed
    (prefix / TRIAL_FILE).write_text(json.dumps({"version": "0.2.0", "previous": "0.1.0", "boot_id": "another-boot",
                                                 "pid": os.getpid()}))
    (prefix / "releases" / ".incoming-0.3.0").mkdir()  # and an install that never finished
    message = _updater(prefix, car).recover()
    assert message == "the update to 0.2.0 was interrupted; back on 0.1.0"
    assert os.readlink(prefix / "current") == "releases/0.1.0" and not (prefix / TRIAL_FILE).exists()
    assert not (prefix / "releases" / ".incoming-0.3.0").exists()
    assert _updater(prefix, car).recover() is None  # nothing left to do


def test_update_from_a_usb_stick_updates_folder(car_on_010: tuple[Path, Car], bundles: dict[str, Path],
                                               tmp_path: Path) -> None:
    from usb_wifi_provisioner.provision import Provisioner

    prefix, car = car_on_010
    drive = tmp_path / "stick"
    (drive / "Updates").mkdir(parents=True)
    for version in ("0.1.0", "0.2.0"):
        (drive / "Updates" / bundles[version].name).write_bytes(bundles[version].read_bytes())
    updater = _updater(prefix, car)
    started: list[Path] = []

    def start_update(archive: Path) -> None:  # what the detached `deepracer update --install` does
        started.append(archive)
        updater.install_bundle(archive)

    provisioner = Provisioner(artifacts_dir=tmp_path / "artifacts", prefix=prefix, start_update=start_update,
                              network=OfflineNetwork(), hostname=lambda: "car", timestamp=lambda: "now")
    report = provisioner.process_drive(drive)
    assert report.update_started == "0.2.0" and report.handled and report.ok
    assert started == [prefix / "downloads" / "deepracer-0.2.0.tar.gz"]  # copied off the stick first
    assert car.running() == ("0.2.0", True)
    assert "updates: installing 0.2.0 (running 0.1.0)" in (drive / "device-status.txt").read_text()
    # the same stick again: nothing newer
    report = provisioner.process_drive(drive)
    assert report.update_started is None and "no release newer than 0.2.0" in " ".join(report.lines)
    assert car.running() == ("0.2.0", True)


def test_package_index_check_and_listing(car_on_010: tuple[Path, Car], bundles: dict[str, Path],
                                         tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli.deepracer import build_parser
    from updates.bundle import sha256_file
    from updates.sources import fetch, newest, read_index

    prefix, _car = car_on_010
    index = tmp_path / "index"
    index.mkdir()
    bundle = bundles["0.2.0"]
    (index / bundle.name).write_bytes(bundle.read_bytes())
    (index / "index.json").write_text(json.dumps({"releases": [
        {"version": "0.2.0", "arch": machine_arch(), "python": python_tag(), "file": bundle.name,
         "sha256": sha256_file(bundle)},
        {"version": "9.0.0", "arch": "riscv64", "python": python_tag(), "file": "other.tar.gz", "sha256": ""}]}))
    args = build_parser().parse_args(["update", "--check", "--index", str(index), "--prefix", str(prefix), "--json"])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out) == {"current": "0.1.0", "available": "0.2.0"}
    offer = newest(read_index(str(index)), "0.1.0")
    assert offer is not None
    fetched = fetch(offer, tmp_path / "downloads")
    assert fetched.read_bytes() == bundle.read_bytes()
    wrong = type(offer)(offer.version, offer.location, "0" * 64)
    with pytest.raises(BundleError, match="does not match the index's sha256"):
        fetch(wrong, tmp_path / "downloads2")
