"""RPLidar driver: rplidar-roboticia + pyserial, made safe for a car that must never hang.

What the library does on its own, and what this module does about it:

- `_read_response` busy-waits forever (`while inWaiting() < n: sleep(1 ms)`) when the device goes quiet.
  Here reads block in `select` with a deadline (`read_timeout`) and raise `LidarTimeout`; a watchdog
  thread also cancels a pending read when no measurement arrived for `watchdog_timeout` seconds.
- `start_motor`/`stop_motor` toggle DTR through an ioctl that fails on pseudo-terminals (and on some
  adapters): the failure is contained, the A2/A3 motor PWM command is still sent.
- `get_info`/`get_health` refuse to talk when bytes are waiting (they return a string instead of data):
  the input is cleared first. The health error code is decoded little endian as the protocol says.
- `reset()` sleeps 2 s: the wait is a setting (`reset_wait`).
- Writes get a timeout so a wedged adapter cannot block the thread either.

Scan modes: the device's modes are read with GET_LIDAR_CONF (firmware 1.24 and later: name, sample
time, maximum distance, answer type, the typical mode) or, on firmware 1.17 to 1.23, GET_SAMPLERATE
(Standard and the legacy Express). `scan_mode` picks one by name ("Standard", the default, which
every device has and for which nothing is asked; "Express", "Boost", or "" for the device's typical
mode); modes sent as express capsules (answer type 0x82: Express,
Boost on A1/A2) are started with EXPRESS_SCAN and decoded here (32 measurements per 84-byte capsule,
angles interpolated to the next capsule's start angle); a mode this driver cannot decode (the A3's
ultra capsules) or one the device does not have falls back to Standard, with a warning.

`LidarDriver` runs a worker thread: while the port does not exist it reports "absent" and checks again
every `retry_interval` seconds (a LiDAR plugged in later starts by itself). Once connected it reads
device info and health (an error status triggers one RESET; a persistent error is reported and retried
later), starts the motor and the scan, and hands each full revolution to `on_scan`. Any failure (silent
device, unplugged adapter, garbage) is reported, the motor stopped, the port closed and the connection
retried. `stop()` stops scanning and the motor before closing the port.
"""

from __future__ import annotations

import logging
import os
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import rplidar
import serial

log = logging.getLogger("drivers.lidar")

HEALTH_STATUS = {0: "Good", 1: "Warning", 2: "Error"}

CMD_SCAN = 0x20
CMD_EXPRESS_SCAN = 0x82
CMD_GET_SAMPLERATE = 0x59
CMD_GET_LIDAR_CONF = 0x84
ANS_MEASUREMENT = 0x81
ANS_CAPSULED = 0x82
ANS_SAMPLERATE = 0x15
ANS_LIDAR_CONF = 0x20
CONF_SCAN_MODE_COUNT = 0x70
CONF_SCAN_MODE_US_PER_SAMPLE = 0x71
CONF_SCAN_MODE_MAX_DISTANCE = 0x74
CONF_SCAN_MODE_ANS_TYPE = 0x75
CONF_SCAN_MODE_TYPICAL = 0x7C
CONF_SCAN_MODE_NAME = 0x7F
CAPSULE_LEN = 84
CAPSULE_QUALITY = 47  # capsules carry no quality: a return is reported with the SDK's value
DECODED_ANSWER_TYPES = (ANS_MEASUREMENT, ANS_CAPSULED)


@dataclass(frozen=True)
class ScanMode:
    """A scan mode of the device. `working_mode` is EXPRESS_SCAN's first payload byte."""

    id: int
    name: str
    us_per_sample: float
    max_distance_m: float
    answer_type: int
    working_mode: int = 0

    @property
    def express(self) -> bool:
        return self.answer_type == ANS_CAPSULED


STANDARD_MODE = ScanMode(0, "Standard", 500.0, 12.0, ANS_MEASUREMENT)


def decode_capsule(raw: bytes) -> tuple[float, bool, list[float], list[float]]:
    """An express capsule: start angle (deg), first-capsule flag, 32 distances (mm), 32 angle offsets (deg)."""
    if len(raw) != CAPSULE_LEN:
        raise rplidar.RPLidarException(f"express capsule of {len(raw)} bytes, not {CAPSULE_LEN}")
    if raw[0] >> 4 != 0xA or raw[1] >> 4 != 0x5:
        raise rplidar.RPLidarException("express capsule out of sync")
    checksum = 0
    for byte in raw[2:]:
        checksum ^= byte
    if checksum != (raw[0] & 0x0F) | ((raw[1] & 0x0F) << 4):
        raise rplidar.RPLidarException("express capsule checksum mismatch")
    start_word = struct.unpack_from("<H", raw, 2)[0]
    distances: list[float] = []
    offsets: list[float] = []
    for cabin in range(16):
        first, second, low = struct.unpack_from("<HHB", raw, 4 + 5 * cabin)
        for word, nibble in ((first, low & 0x0F), (second, low >> 4)):
            distances.append(float(word >> 2))
            magnitude = ((word & 0x1) << 4) | nibble
            offsets.append((-magnitude if word & 0x2 else magnitude) / 8.0)
    return (start_word & 0x7FFF) / 64.0, bool(start_word & 0x8000), distances, offsets


# a standard node's byte 0 holds S (bit 0, first node of a revolution) and !S (bit 1); byte 1's bit 0 is 1
_FLAGS_OK = bytes(int((b & 1) != (b >> 1) & 1) for b in range(256))
_STARTS = bytes(int(b & 3 == 1) for b in range(256))
_CHECK_OK = bytes(b & 1 for b in range(256))


@dataclass(frozen=True)
class NodeBatch:
    """Consecutive measurements of a running scan: a standard scan's node bytes (5 per node, checked, decoded
    once per revolution) or an express scan's decoded arrays; `starts` = indices of the nodes that begin a
    revolution."""

    starts: list[int]
    raw: bytes = b""
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # angle (deg), distance (mm), quality

    def __len__(self) -> int:
        return len(self.arrays[0]) if self.arrays is not None else len(self.raw) // 5

    def __getitem__(self, span: slice) -> NodeBatch:
        if self.arrays is not None:
            return NodeBatch([], arrays=(self.arrays[0][span], self.arrays[1][span], self.arrays[2][span]))
        start, stop, _ = span.indices(len(self))
        return NodeBatch([], raw=self.raw[5 * start:5 * stop])


def check_nodes(raw: bytes) -> tuple[NodeBatch, str | None]:
    """Standard-scan nodes, checked all at once (byte operations, no per-node Python): the batch of nodes
    before the first malformed one, and the library's message for that one (None when all are well formed)."""
    raw = raw[: len(raw) // 5 * 5]
    first_bytes = raw[0::5]
    bad_flags = first_bytes.translate(_FLAGS_OK).find(0)
    bad_check = raw[1::5].translate(_CHECK_OK).find(0)
    error = None
    if bad_flags >= 0 or bad_check >= 0:
        first = min(i for i in (bad_flags, bad_check) if i >= 0)
        error = "New scan flags mismatch" if first == bad_flags else "Check bit not equal to 1"
        raw, first_bytes = raw[:5 * first], first_bytes[:first]
    starts = []
    marks = first_bytes.translate(_STARTS)
    at = marks.find(1)
    while at >= 0:
        starts.append(at)
        at = marks.find(1, at + 1)
    return NodeBatch(starts, raw=raw), error


def decode_nodes(raw: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checked standard-scan nodes -> angle (deg), distance (mm), quality arrays, as the library computes them."""
    nodes = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 5)
    angle = ((nodes[:, 1] >> 1).astype(np.uint16) | (nodes[:, 2].astype(np.uint16) << 7)) / 64.0
    distance = (nodes[:, 3].astype(np.uint16) | (nodes[:, 4].astype(np.uint16) << 8)) / 4.0
    return angle, distance, nodes[:, 0] >> 2


def revolution_arrays(parts: list[NodeBatch]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if parts and parts[0].arrays is None:
        return decode_nodes(b"".join(p.raw for p in parts))
    arrays = [p.arrays for p in parts if p.arrays is not None]
    return (np.concatenate([a[0] for a in arrays]), np.concatenate([a[1] for a in arrays]),
            np.concatenate([a[2] for a in arrays]))


class LidarTimeout(rplidar.RPLidarException):
    """The device did not answer within the deadline (or the watchdog cancelled the read)."""


class LidarHealthError(rplidar.RPLidarException):
    """The device reports a hardware error (protection stop) that a reset did not clear."""

    def __init__(self, error_code: int) -> None:
        super().__init__(f"LiDAR reports a hardware error (health Error, code 0x{error_code:04X})")
        self.error_code = error_code


class ContainedRPLidar(rplidar.RPLidar):
    """rplidar.RPLidar with bounded reads, contained DTR ioctls and a cancellable read."""

    def __init__(self, port: str, baudrate: int = 115200, timeout: float = 1.0, reset_wait: float = 2.0,
                 logger: logging.Logger | None = None) -> None:
        self._serial: Any = None
        self._rx = bytearray()
        self._cancel = threading.Event()
        self.read_interval = 0.0
        self._last_read = 0.0
        self.reset_wait = reset_wait
        self.dtr_supported = True
        super().__init__(port, baudrate=baudrate, timeout=timeout, logger=logger or log)

    # -- connection
    def connect(self) -> None:
        if self._serial is not None:
            self.disconnect()
        try:
            self._serial = serial.Serial(self.port, self.baudrate, parity=serial.PARITY_NONE,
                                         stopbits=serial.STOPBITS_ONE, timeout=self.timeout,
                                         write_timeout=self.timeout, exclusive=True)
        except (serial.SerialException, OSError, ValueError) as err:
            raise rplidar.RPLidarException(f"Failed to connect to the sensor due to: {err}") from err

    def disconnect(self) -> None:
        if self._serial is None:
            return
        try:
            self._serial.close()
        except OSError:
            pass

    def cancel(self) -> None:
        """Make a pending read raise LidarTimeout (safe from another thread)."""
        self._cancel.set()
        ser = self._serial
        if ser is not None and getattr(ser, "is_open", False):
            try:
                ser.cancel_read()
            except Exception:  # port already closed
                pass

    # -- DTR (A1 motor enable) fails on ptys: contain it
    def _set_dtr(self, level: bool) -> None:
        if not self.dtr_supported:
            return
        try:
            self._serial.dtr = level
        except (OSError, serial.SerialException) as exc:
            self.dtr_supported = False
            self.logger.debug("DTR ioctl not supported on %s (%s); motor PWM command only", self.port, exc)

    def start_motor(self) -> None:
        self.logger.debug("Starting motor")
        self._set_dtr(False)
        self._set_pwm(self._motor_speed)
        self.motor_running = True

    def stop_motor(self) -> None:
        self.logger.debug("Stopping motor")
        self._set_pwm(0)
        time.sleep(0.001)
        self._set_dtr(True)
        self.motor_running = False

    # -- bounded, buffered reads (replaces the library's endless busy-wait)
    def _read_exact(self, size: int) -> bytes:
        self._fill(size)
        data = bytes(self._rx[:size])
        del self._rx[:size]
        return data

    def _fill(self, size: int) -> None:
        """Until `_rx` holds `size` bytes: reads that block in select, bounded by `timeout` and `cancel()`."""
        deadline = time.monotonic() + self.timeout
        while len(self._rx) < size:
            if self._cancel.is_set():
                raise LidarTimeout("read cancelled by the watchdog")
            try:
                waiting = self._serial.in_waiting
                chunk = self._serial.read(max(size - len(self._rx), min(waiting, 4096)))
            except (serial.SerialException, OSError, TypeError) as exc:
                raise rplidar.RPLidarException(f"serial port failed: {exc}") from exc
            if chunk:
                self._rx.extend(chunk)
                continue
            if self._cancel.is_set():
                raise LidarTimeout("read cancelled by the watchdog")
            if time.monotonic() >= deadline:
                raise LidarTimeout(f"no data from the LiDAR for {self.timeout:.1f} s")

    def _read_units(self, unit: int) -> bytes:
        """At least one `unit` of bytes (blocking like `_read_exact`), then every whole unit already waiting:
        one read per burst from the adapter instead of one per measurement."""
        self._fill(unit)
        try:
            waiting = self._serial.in_waiting
            if waiting:
                self._rx.extend(self._serial.read(min(waiting, 1 << 16)))
        except (serial.SerialException, OSError, TypeError) as exc:
            raise rplidar.RPLidarException(f"serial port failed: {exc}") from exc
        size = len(self._rx) // unit * unit
        data = bytes(self._rx[:size])
        del self._rx[:size]
        return data

    def _read_response(self, dsize: int) -> bytes:
        return self._read_exact(dsize)

    def _read_descriptor(self) -> tuple[int, bool, int]:
        try:
            descriptor = self._read_exact(rplidar.DESCRIPTOR_LEN)
        except LidarTimeout as exc:
            raise LidarTimeout(f"no response descriptor from the LiDAR ({exc})") from exc
        if not descriptor.startswith(rplidar.SYNC_BYTE + rplidar.SYNC_BYTE2):
            raise rplidar.RPLidarException("Incorrect descriptor starting bytes")
        is_single = descriptor[-2] == 0
        return descriptor[2], is_single, descriptor[-1]

    def clean_input(self) -> None:
        if self.scanning[0]:
            return
        self._rx.clear()
        try:
            self._serial.reset_input_buffer()
        except (serial.SerialException, OSError):
            pass
        self.express_trame = 32
        self.express_data = False

    def stop(self) -> None:
        self._send_cmd(rplidar.STOP_BYTE)
        time.sleep(0.01)  # the device needs ~1 ms to stop; 10 ms lets in-flight nodes arrive first
        self.scanning[0] = False
        self.clean_input()

    def reset(self) -> None:
        self.logger.info("Resetting the LiDAR")
        self._send_cmd(rplidar.RESET_BYTE)
        time.sleep(self.reset_wait)
        self.clean_input()

    def get_info(self) -> dict[str, Any]:
        self.clean_input()
        self._send_cmd(rplidar.GET_INFO_BYTE)
        dsize, is_single, dtype = self._read_descriptor()
        if dsize != rplidar.INFO_LEN or not is_single or dtype != rplidar.INFO_TYPE:
            raise rplidar.RPLidarException("Wrong get_info reply")
        raw = self._read_response(dsize)
        return {"model": raw[0], "firmware": (raw[2], raw[1]), "hardware": raw[3],
                "serialnumber": raw[4:].hex().upper()}

    def get_health(self) -> tuple[str, int]:
        self.clean_input()
        self._send_cmd(rplidar.GET_HEALTH_BYTE)
        dsize, is_single, dtype = self._read_descriptor()
        if dsize != rplidar.HEALTH_LEN or not is_single or dtype != rplidar.HEALTH_TYPE:
            raise rplidar.RPLidarException("Wrong get_health reply")
        raw = self._read_response(dsize)
        status, code = struct.unpack("<BH", raw)
        if status not in HEALTH_STATUS:
            raise rplidar.RPLidarException(f"Unknown health status {status}")
        return HEALTH_STATUS[status], code

    # -- scan modes
    def _single_answer(self, expected_type: int) -> bytes:
        dsize, is_single, dtype = self._read_descriptor()
        if not is_single or dtype != expected_type:
            raise rplidar.RPLidarException(f"unexpected answer type 0x{dtype:02X} (expected 0x{expected_type:02X})")
        return self._read_response(dsize)

    def get_samplerate(self) -> tuple[int, int]:
        """Microseconds per sample of the standard and the (legacy) express scan (firmware >= 1.17)."""
        self.clean_input()
        self._send_cmd(bytes([CMD_GET_SAMPLERATE]))
        raw = self._single_answer(ANS_SAMPLERATE)
        standard, express = struct.unpack("<HH", raw[:4])
        return standard, express

    def get_lidar_conf(self, conf_type: int, mode_id: int | None = None) -> bytes:
        """GET_LIDAR_CONF (firmware >= 1.24): the value of one configuration entry."""
        self.clean_input()
        payload = struct.pack("<I", conf_type) + (struct.pack("<H", mode_id) if mode_id is not None else b"")
        self._send_payload_cmd(bytes([CMD_GET_LIDAR_CONF]), payload)
        raw = self._single_answer(ANS_LIDAR_CONF)
        if len(raw) < 4 or struct.unpack_from("<I", raw)[0] != conf_type:
            raise rplidar.RPLidarException(f"GET_LIDAR_CONF answered another entry than 0x{conf_type:02X}")
        return raw[4:]

    def scan_modes(self, firmware: tuple[int, int]) -> tuple[list[ScanMode], int]:
        """The device's scan modes and the id of its typical one (see the module docstring)."""
        if firmware >= (1, 24):
            count = struct.unpack("<H", self.get_lidar_conf(CONF_SCAN_MODE_COUNT)[:2])[0]
            modes = []
            for mode_id in range(count):
                name = self.get_lidar_conf(CONF_SCAN_MODE_NAME, mode_id).split(b"\0", 1)[0].decode("ascii", "replace")
                us = struct.unpack("<I", self.get_lidar_conf(CONF_SCAN_MODE_US_PER_SAMPLE, mode_id)[:4])[0] / 256.0
                dist = struct.unpack("<I", self.get_lidar_conf(CONF_SCAN_MODE_MAX_DISTANCE, mode_id)[:4])[0] / 256.0
                answer = self.get_lidar_conf(CONF_SCAN_MODE_ANS_TYPE, mode_id)[0]
                modes.append(ScanMode(mode_id, name, us, dist, answer, working_mode=mode_id))
            typical = struct.unpack("<H", self.get_lidar_conf(CONF_SCAN_MODE_TYPICAL)[:2])[0]
            return modes, typical
        if firmware >= (1, 17):
            standard, express = self.get_samplerate()
            return [ScanMode(0, "Standard", float(standard), 12.0, ANS_MEASUREMENT),
                    ScanMode(1, "Express", float(express), 12.0, ANS_CAPSULED, working_mode=0)], 0
        return [STANDARD_MODE], 0

    def start_scan(self, mode: ScanMode) -> None:
        """SCAN for the standard answer type, EXPRESS_SCAN (working mode, no flags) for capsules."""
        if mode.express:
            self._send_payload_cmd(bytes([CMD_EXPRESS_SCAN]), bytes([mode.working_mode, 0, 0, 0, 0]))
            size, answer = CAPSULE_LEN, ANS_CAPSULED
        else:
            self._send_cmd(bytes([CMD_SCAN]))
            size, answer = 5, ANS_MEASUREMENT
        dsize, is_single, dtype = self._read_descriptor()
        if dsize != size or is_single or dtype != answer:
            raise rplidar.RPLidarException(f"the {mode.name} scan was answered with type 0x{dtype:02X}, "
                                           f"{dsize} bytes")
        self.scanning = [True, dsize, "express" if mode.express else "normal"]

    def _backlog(self) -> int:
        """Bytes waiting in the port (as the library counts them; what `_rx` holds is being read)."""
        try:
            return int(self._serial.in_waiting)
        except (serial.SerialException, OSError, TypeError) as exc:
            raise rplidar.RPLidarException(f"serial port failed: {exc}") from exc

    def iter_batches(self, mode: ScanMode, max_buf_bytes: int) -> Iterator[NodeBatch]:
        """The measurements of a running scan, a batch per read (every whole node or capsule waiting).

        When more than `max_buf_bytes` (standard) or 16 times as many (express) wait unread, the
        scan is restarted from fresh data rather than delivered late. A malformed node ends the scan
        with the library's error after the well-formed ones before it were delivered.
        """
        limit = max_buf_bytes * (16 if mode.express else 1)
        previous: tuple[float, np.ndarray, np.ndarray] | None = None
        last_angle = -1.0
        steps = np.arange(32, dtype=np.float64)
        while True:
            if limit and self._backlog() > limit:
                self.logger.warning("LiDAR input backlog above %d bytes: restarting the scan", limit)
                self.stop()
                self.start_scan(mode)
                previous, last_angle = None, -1.0
            self._pace()
            if not mode.express:
                batch, error = check_nodes(self._read_units(5))
                if len(batch):
                    yield batch
                if error is not None:
                    raise rplidar.RPLidarException(error)
                continue
            raw = self._read_units(CAPSULE_LEN)
            for at in range(0, len(raw), CAPSULE_LEN):
                start, _first, distances, offsets = decode_capsule(raw[at:at + CAPSULE_LEN])
                if previous is not None:
                    prev_start, prev_distances, prev_offsets = previous
                    step = ((start - prev_start) % 360.0) / 32.0
                    angles = (prev_start + step * steps - prev_offsets) % 360.0
                    before = np.concatenate(([last_angle], angles[:-1]))
                    quality = np.where(prev_distances > 0, CAPSULE_QUALITY, 0).astype(np.uint8)
                    yield NodeBatch(np.flatnonzero(angles < before).tolist(), arrays=(angles, prev_distances, quality))
                    last_angle = float(angles[-1])
                previous = (start, np.asarray(distances), np.asarray(offsets))

    def _pace(self) -> None:
        """At most one read per `read_interval`: a USB adapter delivers a packet every millisecond or so,
        the simulator a chunk every 10 ms; a Python wake-up per packet costs more than the decoding."""
        wait = self._last_read + self.read_interval - time.monotonic()
        if wait > 0 and self._cancel.wait(wait):
            raise LidarTimeout("read cancelled by the watchdog")
        self._last_read = time.monotonic()


@dataclass(frozen=True)
class Revolution:
    """One full turn: measurements in device order (angle_deg clockwise, distance_mm 0 = none)."""

    angles: np.ndarray     # degrees, clockwise
    distances: np.ndarray  # mm, 0 = no return
    qualities: np.ndarray  # 0..63
    start_ns: int  # time.time_ns() of the first measurement
    duration_s: float

    @property
    def nodes(self) -> list[tuple[float, float, int]]:
        """(angle_deg, distance_mm, quality) per measurement."""
        return list(zip(self.angles.tolist(), self.distances.tolist(), self.qualities.tolist(), strict=True))


@dataclass
class LidarSettings:
    port: str = "/dev/ttyUSB0"
    baudrate: int = 115200
    read_timeout: float = 1.0
    watchdog_timeout: float = 2.0
    retry_interval: float = 1.0
    reset_wait: float = 2.0
    motor_pwm: int = rplidar.DEFAULT_MOTOR_PWM
    max_buf_bytes: int = 3000
    scan_mode: str = "Standard"  # a mode name of the device, "" = the device's typical mode
    read_interval: float = 0.02  # s between reads of a running scan (a revolution takes 100-200 ms)

    def validate(self) -> None:
        if not self.port:
            raise ValueError("serial_port must not be empty")
        if self.baudrate <= 0:
            raise ValueError(f"serial_baudrate must be positive, not {self.baudrate}")
        if not 0 <= self.motor_pwm <= rplidar.MAX_MOTOR_PWM:
            raise ValueError(f"motor PWM must be 0..{rplidar.MAX_MOTOR_PWM}")
        for name in ("read_timeout", "watchdog_timeout", "retry_interval"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if not 0 <= self.read_interval < self.watchdog_timeout:
            raise ValueError(f"read_interval must be 0 or more and below watchdog_timeout, not {self.read_interval}")


@dataclass
class LidarStatus:
    state: str  # absent | connecting | scanning | error | stopped
    message: str
    info: dict[str, Any] = field(default_factory=dict)
    health: tuple[str, int] | None = None
    revolutions: int = 0
    connections: int = 0
    scan_mode: str = ""  # the mode scanning now
    scan_modes: list[str] = field(default_factory=list)  # every mode the device reports


class LidarDriver:
    """Worker thread + watchdog around ContainedRPLidar; see the module docstring."""

    def __init__(self, settings: LidarSettings, on_scan: Callable[[Revolution], None],
                 on_event: Callable[[str, str], None] | None = None) -> None:
        settings.validate()
        self.settings = settings
        self._on_scan = on_scan
        self._on_event = on_event
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._lidar: ContainedRPLidar | None = None
        self._last_activity = time.monotonic()
        self._status = LidarStatus("stopped", "not started")
        self._reported: tuple[str, str] = ("stopped", "not started")
        self._worker: threading.Thread | None = None
        self._watchdog: threading.Thread | None = None

    # -- public
    def start(self) -> LidarDriver:
        self._stop.clear()
        self._worker = threading.Thread(target=self._run, name="lidar", daemon=True)
        self._watchdog = threading.Thread(target=self._watch, name="lidar-watchdog", daemon=True)
        self._worker.start()
        self._watchdog.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop scanning, stop the motor, close the port; returns within about `timeout` s."""
        self._stop.set()
        lidar = self._lidar
        if lidar is not None:
            lidar.cancel()
        for thread in (self._worker, self._watchdog):
            if thread is not None:
                thread.join(timeout)
        if self._worker is not None and self._worker.is_alive():  # worker wedged: stop the motor anyway
            lidar = self._lidar
            if lidar is not None:
                self._shutdown_device(lidar)
        self._set_status("stopped", "stopped")

    def status(self) -> LidarStatus:
        with self._lock:
            s = self._status
            return LidarStatus(s.state, s.message, dict(s.info), s.health, s.revolutions, s.connections,
                               s.scan_mode, list(s.scan_modes))

    # -- internals
    def _set_status(self, state: str, message: str, **changes: Any) -> None:
        with self._lock:
            changed = (state, message) != self._reported
            if state == "connecting" and self._reported[0] == "error":
                changed = False  # retrying after an error: report only the outcome
            if changed:
                self._reported = (state, message)
            self._status.state = state
            self._status.message = message
            for key, value in changes.items():
                setattr(self._status, key, value)
        if changed and self._on_event is not None:
            try:
                self._on_event(state, message)
            except Exception:
                log.exception("lidar event callback failed")

    def _touch(self) -> None:
        self._last_activity = time.monotonic()

    def _watch(self) -> None:
        period = min(0.1, self.settings.watchdog_timeout / 4)
        while not self._stop.wait(period):
            lidar = self._lidar
            if lidar is None:
                continue
            if time.monotonic() - self._last_activity > self.settings.watchdog_timeout:
                log.warning("LiDAR watchdog: no data for %.1f s, cancelling the read",
                            self.settings.watchdog_timeout)
                lidar.cancel()
                self._touch()

    def _run(self) -> None:
        s = self.settings
        while not self._stop.is_set():
            if not os.path.exists(s.port):
                self._set_status("absent", f"No LiDAR at {s.port}; waiting for one to be plugged in")
                self._stop.wait(s.retry_interval)
                continue
            lidar: ContainedRPLidar | None = None
            try:
                self._touch()
                self._set_status("connecting", f"Connecting to the LiDAR at {s.port}")
                lidar = ContainedRPLidar(s.port, s.baudrate, timeout=s.read_timeout, reset_wait=s.reset_wait)
                lidar.motor_speed = s.motor_pwm
                lidar.read_interval = s.read_interval
                self._lidar = lidar
                if self._stop.is_set():
                    break
                self._session(lidar)
            except rplidar.RPLidarException as exc:
                if not self._stop.is_set():
                    self._set_status("error", f"LiDAR error: {exc}; retrying every {s.retry_interval:g} s")
            except Exception as exc:  # anything else from the port or the library: same treatment
                if not self._stop.is_set():
                    self._set_status("error", f"LiDAR error: {exc!r}; retrying every {s.retry_interval:g} s")
            finally:
                if lidar is not None:
                    self._shutdown_device(lidar)
                self._lidar = None
            self._stop.wait(s.retry_interval)

    def _session(self, lidar: ContainedRPLidar) -> None:
        s = self.settings
        try:
            lidar._send_cmd(rplidar.STOP_BYTE)  # it may still be scanning from a previous session
        except (serial.SerialException, OSError) as exc:
            raise rplidar.RPLidarException(f"serial port failed: {exc}") from exc
        time.sleep(0.01)
        lidar.clean_input()
        info = lidar.get_info()
        self._touch()
        health = lidar.get_health()
        self._touch()
        if health[0] == "Error":
            lidar.reset()
            self._touch()
            health = lidar.get_health()
            if health[0] == "Error":
                self._set_status("error", str(LidarHealthError(health[1])), health=health, info=info)
                raise LidarHealthError(health[1])
        if health[0] == "Warning":
            log.warning("LiDAR health warning, code 0x%04X", health[1])
        if s.scan_mode.strip().lower() == "standard":  # every RPLidar has it: no need to ask
            modes, typical = [STANDARD_MODE], 0
        else:
            modes, typical = lidar.scan_modes(info["firmware"])
            self._touch()
        mode = self._choose_mode(modes, typical)
        with self._lock:
            self._status.connections += 1
        major, minor = info["firmware"]
        lidar.start_motor()
        lidar.start_scan(mode)
        self._touch()
        self._set_status("scanning", f"LiDAR model {info['model']} firmware {major}.{minor:02d} hardware "
                         f"{info['hardware']} serial {info['serialnumber']} scanning in {mode.name} mode "
                         f"({mode.us_per_sample:g} us per sample, {mode.max_distance_m:g} m)", info=info,
                         health=health, scan_mode=mode.name, scan_modes=[m.name for m in modes])
        parts: list[NodeBatch] = []
        started = False
        start_ns = time.time_ns()
        start_mono = time.monotonic()
        for batch in lidar.iter_batches(mode, s.max_buf_bytes):
            self._touch()
            if self._stop.is_set():
                break
            cut = 0
            for index in batch.starts:
                if started:
                    parts.append(batch[cut:index])
                    self._revolution(parts, start_ns, time.monotonic() - start_mono)
                started = True
                parts, cut = [], index
                start_ns = time.time_ns()
                start_mono = time.monotonic()
            if started:
                parts.append(batch[cut:])

    def _revolution(self, parts: list[NodeBatch], start_ns: int, duration_s: float) -> None:
        if not sum(len(p) for p in parts):
            return
        rev = Revolution(*revolution_arrays(parts), start_ns, duration_s)
        with self._lock:
            self._status.revolutions += 1
        try:
            self._on_scan(rev)
        except Exception:
            log.exception("LiDAR scan consumer failed")

    def _choose_mode(self, modes: list[ScanMode], typical: int) -> ScanMode:
        wanted = self.settings.scan_mode.strip()
        by_name = {m.name.lower(): m for m in modes}
        if wanted:
            mode = by_name.get(wanted.lower())
            if mode is None:
                log.warning("the LiDAR has no %r scan mode (it has %s); using Standard", wanted,
                            ", ".join(m.name for m in modes))
        else:
            mode = next((m for m in modes if m.id == typical), None)
        if mode is not None and mode.answer_type not in DECODED_ANSWER_TYPES:
            log.warning("the %s scan mode sends answer type 0x%02X, which this driver does not decode; "
                        "using Standard", mode.name, mode.answer_type)
            mode = None
        if mode is None:
            mode = next((m for m in modes if m.answer_type == ANS_MEASUREMENT), STANDARD_MODE)
        return mode

    def _shutdown_device(self, lidar: ContainedRPLidar) -> None:
        """Best effort: stop scanning, motor PWM 0 (+ DTR), close. Never raises, never blocks long."""
        lidar._cancel.clear()
        for action in (lambda: lidar._send_cmd(rplidar.STOP_BYTE), lidar.stop_motor):
            try:
                action()
            except Exception as exc:
                log.debug("LiDAR shutdown step failed: %s", exc)
        lidar.scanning[0] = False
        lidar.disconnect()
