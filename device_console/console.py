"""The console's service container: everything a route needs, built once per app.

`create_app(settings, car, ...)` fills it; tests swap any part (car, system, network, clocks).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from device_console.car import Calibration, Car
from device_console.core.config import ConsoleSettings
from device_console.core.security import CsrfTokens, LoginThrottle, PasswordStore, TokenStore
from device_console.driving.supervisor import DriveSupervisor
from device_console.host_system import System
from device_console.logs import LogSources
from device_console.model_store import ModelStore
from device_console.streaming import StreamHub


class Network(Protocol):
    """The contract of `usb_wifi_provisioner.network` the console uses."""

    def current_ssid(self) -> str: ...

    def ip_addresses(self) -> list[str]: ...

    def scan_networks(self) -> list[dict[str, Any]]: ...

    def connect(self, ssid: str, password: str) -> tuple[bool, str]: ...


def default_network() -> Network:
    from usb_wifi_provisioner import network

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
    calibrations: dict[int, Calibration] = field(default_factory=dict)
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
