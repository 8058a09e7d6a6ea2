"""The console's service container: everything a route needs, built once per app.

`build_console(settings, car, ...)` makes it (`create_app(settings, car, ...)` calls it, or takes a
ready one); tests swap any part (car, system, network, model store, clocks).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict

from device_console.car import Car
from device_console.core.config import ConsoleSettings
from device_console.core.security import CsrfTokens, LoginThrottle, PasswordStore, TokenStore
from device_console.driving.settings_file import load_legacy_hold
from device_console.driving.supervisor import CALIBRATION, DriveSupervisor
from device_console.host_system import HostSystem, SimulatedSystem, System
from device_console.logs import LogSources
from device_console.model_store import ModelStore
from device_console.streaming import StreamHub
from device_console.upload import clean_stale_uploads
from vehicle.calibration import CalibrationRange

log = logging.getLogger("device_console")


class Network(Protocol):
    """The contract of `drivers.network` the console uses."""

    def current_ssid(self) -> str: ...

    def ip_addresses(self) -> list[str]: ...

    def scan_networks(self) -> list[dict[str, Any]]: ...

    def connect(self, ssid: str, password: str) -> tuple[bool, str]: ...


def default_network() -> Network:
    from drivers import network

    return network  # type: ignore[return-value]


@dataclass
class Console:
    settings: ConsoleSettings
    car: Car
    passwords: PasswordStore
    tokens: TokenStore
    throttle: LoginThrottle
    csrf: CsrfTokens
    drive: DriveSupervisor
    system: System
    network: Network
    models: ModelStore
    logs: LogSources
    started_at: float = field(default_factory=time.time)
    # model imports and deletions run one at a time
    model_lock: threading.Lock = field(default_factory=threading.Lock)
    # set when the server stops: endless responses (MJPEG, update events) end by themselves
    stopping: threading.Event = field(default_factory=threading.Event)
    # the car's calibration (ns) by cal_type, as last read or written through the console: the
    # calibration preview's neutral (the calibrated mids)
    calibrations: dict[int, CalibrationRange] = field(default_factory=dict)
    # last calibration preview per (session, cal_type): (console units, monotonic time)
    previews: dict[tuple[str, int], tuple[float, float]] = field(default_factory=dict)

    def begin_shutdown(self) -> None:
        self.stopping.set()
        self.car.stream_hub.close()

    @property
    def hub(self) -> StreamHub:
        return self.car.stream_hub

    def stop_car(self, reason: str = "stop") -> None:
        """Stop / e-stop / mode change: drop the held command and publish neutral (manual topic,
        and the calibrated mids if a calibration preview was held)."""
        self.drive.stop(reason)


def drive_supervisor(settings: ConsoleSettings, car: Car, clock: Callable[[], float]) -> DriveSupervisor:
    """The console's one drive supervisor, publishing manual commands and calibration previews."""

    def publish(channel: str, angle: float, throttle: float) -> None:
        if channel == CALIBRATION:
            car.publish_calibration_drive(angle, throttle)
        else:
            car.publish_manual_drive(angle, throttle)

    return DriveSupervisor(
        publish, clock=clock, strict_timeout_s=settings.manual_drive_timeout_s,
        legacy_hold_s=load_legacy_hold(settings.drive_settings_file, settings.legacy_drive_hold_s),
        republish_period_s=settings.drive_republish_period_s, stream_stall_s=settings.stream_stall_s)


class ServiceOverrides(TypedDict, total=False):
    """What a test (or the ROS bridge) may pass instead of the default services."""

    system: System | None
    network: Network | None
    models: ModelStore | None
    wall_clock: Callable[[], float] | None
    monotonic: Callable[[], float] | None


def build_console(settings: ConsoleSettings, car: Car, *, system: System | None = None,
                  network: Network | None = None, models: ModelStore | None = None,
                  wall_clock: Callable[[], float] | None = None,
                  monotonic: Callable[[], float] | None = None) -> Console:
    """Every service of one console (the password file made if missing, unfinished uploads removed)."""
    wall = wall_clock or time.time
    mono = monotonic or time.monotonic
    passwords = PasswordStore(settings.password_file, settings.dmi_dir)
    passwords.ensure()
    for leftover in clean_stale_uploads(settings.upload_tmp_dir):  # a console killed mid-upload
        log.warning("removed an unfinished upload: %s", leftover)
    if system is None:
        system = SimulatedSystem(settings.console_state_file) if settings.simulated else HostSystem()
    return Console(
        settings=settings,
        car=car,
        passwords=passwords,
        tokens=TokenStore(settings.token_file, settings.token_ttl_s, settings.max_tokens, clock=wall),
        throttle=LoginThrottle(settings.login_free_attempts, settings.login_base_delay_s,
                               settings.login_max_delay_s, clock=mono),
        csrf=CsrfTokens(settings.secret_file, settings.csrf_ttl_s, clock=wall),
        drive=drive_supervisor(settings, car, mono),
        system=system,
        network=network if network is not None else default_network(),
        models=models or ModelStore(settings.artifacts_dir),
        logs=LogSources(settings.syslog_path, settings.process_logs_dir, settings.max_log_lines, simulated=settings.simulated),
    )
