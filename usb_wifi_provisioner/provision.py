"""Process one USB drive: Wi-Fi set-up from `wifi-creds.txt`, then the `models/` folder, then
`device-status.txt` — in that order, as the Developer Guide describes — and last a software update
from the `updates/` folder (the newest `deepracer-<version>.tar.gz` newer than the running release is
copied to the car and installed by `deepracer update` in a process of its own, with health check and
rollback; see updates/).

LEDs (Developer Guide, "LED indicators"): the Wi-Fi LED blinks blue while connecting, turns solid
blue when connected, red for 2 s on a failure (then blue if the car is still on a network, else
off); the power LED blinks blue while models are imported and returns to solid blue.

Everything the user needs is written to the drive before the last LED change, and the drive is
released (`finish`) before that change too, so the drive can be pulled as soon as the LEDs settle.
A drive with none of `wifi-creds.txt`, `models/` and `updates/` is left untouched.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from drivers import network as net_mod
from usb_wifi_provisioner import creds as creds_mod
from usb_wifi_provisioner import device_status
from usb_wifi_provisioner import leds as L
from usb_wifi_provisioner.models_import import ModelOutcome, find_models_dir, import_models_folder

log = logging.getLogger(__name__)


class NetworkBackend(Protocol):
    """What the provisioner needs from `drivers.network` (the module satisfies it)."""

    def current_ssid(self) -> str: ...

    def connect_detailed(self, ssid: str, password: str = "", interface: str | None = None) -> Any: ...

    def visible_ssids(self) -> list[str]: ...

    def interface_addresses(self) -> list[tuple[str, str]]: ...


class _ModuleNetwork:
    def current_ssid(self) -> str:
        return net_mod.current_ssid()

    def connect_detailed(self, ssid: str, password: str = "", interface: str | None = None) -> Any:
        return net_mod.connect_detailed(ssid, password, interface)

    def visible_ssids(self) -> list[str]:
        return net_mod.visible_ssids()

    def interface_addresses(self) -> list[tuple[str, str]]:
        return net_mod.interface_addresses()


@dataclass
class WifiOutcome:
    file: str
    ssid: str
    ok: bool
    lines: list[str] = field(default_factory=list)


@dataclass
class DriveReport:
    root: Path
    wifi: list[WifiOutcome] = field(default_factory=list)
    models: list[ModelOutcome] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    status_file: Path | None = None
    errors: list[str] = field(default_factory=list)
    models_found: bool = False
    update_started: str | None = None  # the version whose installation was started

    @property
    def handled(self) -> bool:
        return bool(self.wifi) or self.models_found or self.update_started is not None

    @property
    def wifi_ok(self) -> bool | None:
        """Result of the last Wi-Fi configuration processed (it decides the connection), None if none."""
        return self.wifi[-1].ok if self.wifi else None

    @property
    def ok(self) -> bool:
        return (self.wifi_ok is not False) and all(m.ok for m in self.models) and not self.errors


def _package_version() -> str | None:
    from importlib import metadata

    try:
        return metadata.version("deepracer-open-stack")
    except metadata.PackageNotFoundError:
        return None


def _timestamp() -> str:
    return time.strftime("%x %X")


class Provisioner:
    """The drive processing job with its collaborators injected (tests pass fakes for none of
    them but the LEDs: nmcli is faked on PATH, drives are folders)."""

    def __init__(self, leds: L.LedControl | None = None, network: NetworkBackend | None = None,
                 artifacts_dir: Path | None = None,
                 hostname: Callable[[], str] = socket.gethostname,
                 timestamp: Callable[[], str] = _timestamp,
                 import_model: Callable[..., Any] | None = None,
                 on_busy: Callable[[str, bool], None] | None = None, wifi: bool = True,
                 prefix: Path | None = None, start_update: Callable[[Path], None] | None = None) -> None:
        self.leds: L.LedControl = L.SafeLeds(leds if leds is not None else L.NullLeds())
        self.network: NetworkBackend = network if network is not None else _ModuleNetwork()
        if artifacts_dir is None:
            from runtime.paths import artifacts_dir as default_artifacts

            artifacts_dir = default_artifacts()
        self.artifacts_dir = Path(artifacts_dir)
        self.hostname = hostname
        self.timestamp = timestamp
        self.import_model = import_model
        self.on_busy = on_busy or (lambda _what, _busy: None)
        self._visible: list[str] | None = None
        #: False on the simulated car: a wifi-creds.txt must never change the Wi-Fi of the laptop.
        self.wifi = wifi
        if prefix is None:
            from runtime.paths import install_prefix

            prefix = install_prefix()
        self.prefix = Path(prefix)
        self.start_update = start_update

    # -- the job ------------------------------------------------------------------------------
    def process_drive(self, root: Path, finish: Callable[[], None] | None = None) -> DriveReport:
        """Process the drive mounted at `root`; call `finish()` once nothing more is written to it."""
        root = Path(root)
        report = DriveReport(root)
        creds_files = creds_mod.find_creds_files(root)
        models_dir = find_models_dir(root)
        report.models_found = models_dir is not None
        from updates.sources import find_usb_updates

        updates_dir = find_usb_updates(root)
        finished = False

        def _finish() -> None:
            nonlocal finished
            if not finished:
                finished = True
                if finish is not None:
                    try:
                        finish()
                    except Exception as exc:  # releasing the drive must not hide the results
                        log.warning("releasing %s failed: %s", root, exc)

        if not creds_files and models_dir is None and updates_dir is None:
            log.info("%s: no wifi-creds.txt, models or updates folder; nothing to do", root)
            _finish()
            return report

        secrets: list[str] = []
        self._visible = None
        ssid_now: str | None = None
        if creds_files:
            self.on_busy("wifi", True)
            try:
                self.leds.blink(L.WIFI_LED, L.BLUE, L.NO_COLOR, L.BLINK_DELAY_S)
                self._configure_wifi(creds_files, report, secrets)
                ssid_now = self.network.current_ssid()
                self._write_status(root, report, secrets, ssid_now)
                if models_dir is None and updates_dir is None:
                    _finish()
                self._wifi_final_leds(report.wifi_ok is True, ssid_now)
            finally:
                self.on_busy("wifi", False)

        if models_dir is not None:
            self.on_busy("models", True)
            try:
                self.leds.blink(L.POWER_LED, L.BLUE, L.NO_COLOR, L.BLINK_DELAY_S)
                report.models = import_models_folder(models_dir, self.artifacts_dir, self.import_model)
                report.lines.extend(line for m in report.models for line in m.report_lines())
                if not report.models:
                    report.lines.append("models: no model archive found in the models folder.")
                self._write_status(root, report, secrets, ssid_now)
                if updates_dir is None:
                    _finish()
                self.leds.solid(L.POWER_LED, L.BLUE, 0.0)
            finally:
                self.on_busy("models", False)

        if updates_dir is not None:
            self.on_busy("update", True)
            try:
                self.leds.blink(L.POWER_LED, L.BLUE, L.NO_COLOR, L.BLINK_DELAY_S)
                self._stage_update(updates_dir, report)
                self._write_status(root, report, secrets, ssid_now)
                _finish()
                self.leds.solid(L.POWER_LED, L.BLUE, 0.0)
            finally:
                self.on_busy("update", False)
        _finish()
        return report

    # -- software update -----------------------------------------------------------------------
    def _stage_update(self, folder: Path, report: DriveReport) -> None:
        """Copy the newest bundle newer than the running release to the car and start installing it."""
        from updates.releases import ReleaseStore
        from updates.sources import bundles_in_folder, fetch, newest
        from updates.updater import launch_update

        running = ReleaseStore(self.prefix).current() or _package_version()
        bundles = bundles_in_folder(folder)
        offer = newest(bundles, running)
        if offer is None:
            report.lines.append(f"updates: no release newer than {running or 'the running one'} "
                                f"({len(bundles)} bundle(s) in the updates folder).")
            return
        try:
            archive = fetch(offer, self.prefix / "downloads")  # the drive may be pulled during the install
            (self.start_update or (lambda path: launch_update(path, prefix=self.prefix)))(archive)
        except Exception as exc:
            message = f"updates: {Path(offer.location).name} could not be installed: {exc}"
            log.error(message)
            report.lines.append(message)
            report.errors.append(message)
            return
        report.update_started = offer.version
        report.lines.append(f"updates: installing {offer.version} (running {running or 'unknown'}): the car "
                            "restarts its software and goes back to the previous release by itself if the new "
                            "one does not come up; the console's Software update page shows the outcome.")

    # -- Wi-Fi ---------------------------------------------------------------------------------
    def _configure_wifi(self, files: Sequence[Path], report: DriveReport, secrets: list[str]) -> None:
        if not self.wifi:
            report.lines.append("Wi-Fi set-up is off here (simulated car): wifi-creds.txt was not used.")
            report.wifi.append(WifiOutcome(files[0].name, "", True, []))
            return
        if len(files) > 1:
            names = ", ".join(p.name for p in files)
            report.lines.append(f"Found {len(files)} Wi-Fi configuration files; processing them in this order: {names}.")
        for path in files:
            parsed = creds_mod.read_wifi_creds(path)
            if parsed.password:
                secrets.append(parsed.password)
            outcome = self._configure_one(path, parsed)
            report.wifi.append(outcome)
            report.lines.extend(outcome.lines)

    def _configure_one(self, path: Path, parsed: creds_mod.WifiCreds) -> WifiOutcome:
        name = path.name
        if not parsed.has_ssid:
            log.info("%s: no SSID; listing the visible networks in it", path)
            notes = [f"{name}: No SSID found in WiFi configuration file."]
            try:
                networks = self._visible_ssids()
                text = creds_mod.decode_creds_bytes(path.read_bytes()) if path.exists() else ""
                new_text = creds_mod.with_network_list(text, networks, self.hostname(), self.timestamp())
                device_status.write_stick_file(path, new_text)
                if networks:
                    notes.append(f"{name}: the {len(networks)} Wi-Fi networks visible from this car are listed "
                                 "at its end; remove the # in front of yours and type its password.")
                else:
                    notes.append(f"{name}: no Wi-Fi network is visible from this car.")
            except OSError as exc:
                notes.append(f"{name}: could not list the visible Wi-Fi networks in it: {exc.strerror or exc}")
            return WifiOutcome(name, "", False, notes)

        ssid, password = parsed.ssid, parsed.password
        log.info("%s: connecting to Wi-Fi network %r", path, ssid)  # never the password
        if ssid == self.network.current_ssid():
            log.info("already connected to %r; no change", ssid)
            return WifiOutcome(name, ssid, True, ["No change in configuration found, ignoring."])

        lines: list[str] = []
        result = self.network.connect_detailed(ssid, password)
        if not result.ok and result.ssid_not_found:
            alternative = self._close_match(ssid)
            if alternative is not None:
                lines.extend(self._connect_lines(result, ssid))
                lines.append(f'No network named "{ssid}" is visible; trying "{alternative}" '
                             "(same name apart from spaces or upper/lower case).")
                ssid = alternative
                result = self.network.connect_detailed(ssid, password)
        lines.extend(self._connect_lines(result, ssid))
        if not result.ok:
            if result.wrong_password:
                lines.append(f'The password for "{ssid}" was not accepted. Check it in {name}: it is case sensitive, '
                             "and a password with spaces must be inside quotes.")
            elif result.ssid_not_found:
                visible = self._visible_ssids()
                seen = ", ".join(f'"{s}"' for s in visible[:10]) if visible else "none"
                lines.append(f'No Wi-Fi network named "{ssid}" is visible from this car. Visible networks: {seen}.')
            log.warning("Wi-Fi connection to %r failed (exit code %s)", ssid, result.returncode)
        else:
            log.info("connected to Wi-Fi network %r", ssid)
        return WifiOutcome(name, ssid, result.ok, lines)

    @staticmethod
    def _connect_lines(result: Any, ssid: str) -> list[str]:
        head = (f'Successfully connected to "{ssid}":' if result.ok
                else f'({result.returncode}) Failed to connect to "{ssid}":')
        return [head, *result.lines]

    def _close_match(self, ssid: str) -> str | None:
        """A unique visible SSID equal to `ssid` apart from surrounding spaces and letter case."""
        wanted = ssid.strip().casefold()
        matches = [s for s in self._visible_ssids() if s.strip().casefold() == wanted and s != ssid]
        return matches[0] if len(matches) == 1 else None

    def _visible_ssids(self) -> list[str]:
        """Visible networks, scanned once per drive."""
        if self._visible is None:
            self._visible = self.network.visible_ssids()
        return self._visible

    def _wifi_final_leds(self, ok: bool, ssid_now: str) -> None:
        if not ok:
            self.leds.solid(L.WIFI_LED, L.RED, L.FAILURE_HOLD_S)
        self.leds.solid(L.WIFI_LED, L.BLUE if ssid_now else L.NO_COLOR, 0.0)

    # -- report --------------------------------------------------------------------------------
    def _write_status(self, root: Path, report: DriveReport, secrets: Sequence[str], ssid_now: str | None) -> None:
        if ssid_now is None:
            ssid_now = self.network.current_ssid()
        try:
            report.status_file = device_status.write_device_status(
                root, self.hostname(), self.timestamp(), report.lines, ssid_now,
                self.network.interface_addresses(), secrets)
        except OSError as exc:
            message = f"could not write {device_status.DEVICE_STATUS_NAME} on {root}: {exc.strerror or exc}"
            log.error(message)
            if message not in report.errors:
                report.errors.append(message)
