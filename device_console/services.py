"""The console's service container: everything a route needs, built once per app.

`create_app(settings, car, ...)` fills it; tests swap any part (car, system, network, clocks).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from device_console.auth import CsrfTokens, LoginThrottle, PasswordStore, TokenStore
from device_console.car import Car
from device_console.config import ConsoleSettings
from device_console.logs import LogSources
from device_console.manual_drive import ManualDriveWatchdog
from device_console.model_store import ModelStore
from device_console.streaming import StreamHub
from device_console.system import System


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
    watchdog: ManualDriveWatchdog
    system: System
    network: Network
    models: ModelStore
    logs: LogSources
    started_at: float = field(default_factory=time.time)
    # model imports and deletions run one at a time
    model_lock: threading.Lock = field(default_factory=threading.Lock)
    # set when the server stops: endless responses (MJPEG, update events) end by themselves
    stopping: threading.Event = field(default_factory=threading.Event)

    def begin_shutdown(self) -> None:
        self.stopping.set()
        self.car.stream_hub.close()

    @property
    def hub(self) -> StreamHub:
        return self.car.stream_hub

    def stop_car(self) -> None:
        """Publish a stop on the manual-drive topic (the watchdog's and the stop button's action)."""
        self.car.publish_manual_drive(0.0, 0.0)
