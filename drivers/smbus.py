"""The small SMBus interface every I2C driver uses, and its real backend (smbus2 on /dev/i2c-N).

Drivers only call the five methods of `SMBusLike`; tests and the simulated car pass an
`drivers.smbus_emulators.EmulatedSMBus`, which speaks the same register protocol as the chips.
Errors are `OSError`s with the errno the kernel gives: a device that does not acknowledge its
address raises ENXIO (or EREMOTEIO on some adapters), a missing bus FileNotFoundError.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from runtime.paths import dev_root

# errnos meaning "nothing answered at that address" (the i2c adapter got no ACK).
NO_DEVICE_ERRNOS = frozenset({errno.ENXIO, errno.EREMOTEIO, errno.ENODEV})


@runtime_checkable
class SMBusLike(Protocol):
    """The SMBus transactions our chips need (names and arguments as smbus2)."""

    def write_byte(self, i2c_addr: int, value: int) -> None: ...

    def read_byte(self, i2c_addr: int) -> int: ...

    def write_byte_data(self, i2c_addr: int, register: int, value: int) -> None: ...

    def read_byte_data(self, i2c_addr: int, register: int) -> int: ...

    def write_i2c_block_data(self, i2c_addr: int, register: int, data: Sequence[int]) -> None: ...

    def close(self) -> None: ...


def i2c_device_path(bus: int) -> Path:
    """`/dev/i2c-<bus>` under DEEPRACER_DEV_ROOT."""
    return dev_root() / f"i2c-{int(bus)}"


def open_smbus(bus: int) -> SMBusLike:
    """Open the real bus `/dev/i2c-<bus>` with smbus2 (FileNotFoundError when it does not exist)."""
    from smbus2 import SMBus

    path = i2c_device_path(bus)
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, "no I2C bus device", str(path))
    handle: SMBusLike = SMBus(str(path))
    return handle


def is_no_device_error(exc: BaseException) -> bool:
    """True for "no bus" or "no device at that address" (a board without the chip), not for I/O faults."""
    if isinstance(exc, FileNotFoundError):
        return True
    return isinstance(exc, OSError) and exc.errno in NO_DEVICE_ERRNOS
