"""A simulated RPLidar (A1/A2 class) behind a pseudo-terminal, speaking the real serial protocol.

`RplidarDevice(scan_provider)` opens a pty; `.port` is the slave path a driver opens like /dev/ttyUSB0.
The device thread answers on the master side:

    request                 response
    A5 50 GET_INFO          A5 5A 14 00 00 00 04 + model, fw minor, fw major, hardware, serial[16]
    A5 52 GET_HEALTH        A5 5A 03 00 00 00 06 + status (0 good, 1 warning, 2 error), error code u16 LE
    A5 59 GET_SAMPLERATE    A5 5A 04 00 00 00 15 + t_standard u16, t_express u16 (microseconds)
    A5 20 SCAN / A5 21 FORCE_SCAN
                            A5 5A 05 00 00 40 81, then 5-byte measurement nodes, revolution after
                            revolution, until STOP (no answer while the health status is error)
    A5 25 STOP              none; scanning stops
    A5 40 RESET             none; scanning and motor stop, a boot banner is printed
    A5 F0 02 lo hi cs       none; motor PWM (0 = stopped), checksum = XOR of all preceding bytes

A measurement node: byte0 = quality << 2 | !S << 1 | S (S = first node of a revolution),
byte1 = angle_q6 << 1 | 1 (check bit), byte2 = angle_q6 >> 7, bytes 3-4 = distance_q2 (mm * 4) LE.

`scan_provider()` returns one revolution as (angle_deg, distance_mm, quality) tuples; it is called
once per revolution at `scan_hz`. Failure modes for tests: `silent_after_nodes=N` (or `go_silent()`)
makes the device stop talking mid-scan and ignore every command until `wake()`; `health=(2, code)`
makes it report a hardware error (cleared by RESET only when `reset_clears_health`).
"""

from __future__ import annotations

import errno
import fcntl
import os
import struct
import threading
import time
import tty
from collections.abc import Callable, Sequence

SYNC = 0xA5
SYNC2 = 0x5A
CMD_STOP = 0x25
CMD_RESET = 0x40
CMD_SCAN = 0x20
CMD_FORCE_SCAN = 0x21
CMD_GET_INFO = 0x50
CMD_GET_HEALTH = 0x52
CMD_GET_SAMPLERATE = 0x59
CMD_SET_MOTOR_PWM = 0xF0

ScanProvider = Callable[[], Sequence[tuple[float, float, int]]]


def descriptor(length: int, multiple: bool, data_type: int) -> bytes:
    """Response descriptor: sync bytes, 30-bit length + 2-bit send mode, data type."""
    word = (length & 0x3FFFFFFF) | ((1 if multiple else 0) << 30)
    return bytes([SYNC, SYNC2]) + struct.pack("<I", word) + bytes([data_type])


def encode_node(angle_deg: float, distance_mm: float, quality: int, start: bool) -> bytes:
    """One 5-byte standard scan measurement node."""
    angle_q6 = int(round((angle_deg % 360.0) * 64.0)) & 0x7FFF
    distance_q2 = max(0, min(0xFFFF, int(round(distance_mm * 4.0))))
    q = max(0, min(63, int(quality)))
    s = 1 if start else 0
    return bytes([
        (q << 2) | ((s ^ 1) << 1) | s,
        ((angle_q6 & 0x7F) << 1) | 1,
        angle_q6 >> 7,
        distance_q2 & 0xFF,
        distance_q2 >> 8,
    ])


def ring_scan(distance_mm: float = 1000.0, points: int = 360, quality: int = 47) -> ScanProvider:
    """A provider for a round room: every angle at the same distance."""
    nodes = [(i * 360.0 / points, distance_mm, quality) for i in range(points)]
    return lambda: nodes


class RplidarDevice:
    """A pty that behaves like an RPLidar on a USB serial adapter."""

    def __init__(self, scan_provider: ScanProvider, *, scan_hz: float = 10.0, model: int = 0x18,
                 firmware: tuple[int, int] = (1, 29), hardware: int = 7, serial: bytes | None = None,
                 health: tuple[int, int] = (0, 0), reset_clears_health: bool = False,
                 silent_after_nodes: int | None = None, reset_delay: float = 0.01) -> None:
        self.scan_provider = scan_provider
        self.scan_hz = float(scan_hz)
        self.model, self.firmware, self.hardware = model, firmware, hardware
        self.serial = serial if serial is not None else bytes(range(0x10, 0x20))
        if len(self.serial) != 16:
            raise ValueError("serial number must be 16 bytes")
        self._health = health
        self.reset_clears_health = reset_clears_health
        self.silent_after_nodes = silent_after_nodes
        self.reset_delay = reset_delay
        self._lock = threading.Lock()
        self.commands: list[tuple[int, bytes]] = []  # every request received, in order
        self.motor_pwm = 0
        self.scanning = False
        self.silent = False
        self.nodes_sent = 0
        self.revolutions_sent = 0
        self.resets = 0
        self.dropped_bytes = 0
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)
        flags = fcntl.fcntl(self._master, fcntl.F_GETFL)
        fcntl.fcntl(self._master, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        self._rx = bytearray()
        self._pending: list[bytes] = []  # current revolution, in chunks still to send
        self._next_chunk = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rplidar-sim", daemon=True)
        self._thread.start()

    # -- controls for tests and the simulator
    @property
    def health(self) -> tuple[int, int]:
        return self._health

    def set_health(self, status: int, error_code: int = 0) -> None:
        self._health = (int(status), int(error_code))

    def go_silent(self) -> None:
        """Stop talking (as a hung device does) until `wake()`."""
        with self._lock:
            self.silent = True
            self._pending.clear()

    def wake(self) -> None:
        """Answer again, as after a power cycle: idle, not scanning."""
        with self._lock:
            self.silent = False
            self.silent_after_nodes = None
            self.scanning = False
            self._pending.clear()

    def command_names(self) -> list[str]:
        names = {CMD_STOP: "STOP", CMD_RESET: "RESET", CMD_SCAN: "SCAN", CMD_FORCE_SCAN: "FORCE_SCAN",
                 CMD_GET_INFO: "GET_INFO", CMD_GET_HEALTH: "GET_HEALTH",
                 CMD_GET_SAMPLERATE: "GET_SAMPLERATE", CMD_SET_MOTOR_PWM: "SET_MOTOR_PWM"}
        with self._lock:
            return [names.get(cmd, f"0x{cmd:02X}") for cmd, _ in self.commands]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self) -> RplidarDevice:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- device thread
    def _write(self, data: bytes) -> None:
        try:
            written = os.write(self._master, data)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EIO):
                self.dropped_bytes += len(data)
                return
            raise
        self.dropped_bytes += len(data) - written

    def _run(self) -> None:
        import select

        while not self._stop.is_set():
            timeout = 0.01
            if self.scanning and not self.silent:
                timeout = max(0.0, min(timeout, self._next_chunk - time.monotonic()))
            try:
                readable, _, _ = select.select([self._master], [], [], timeout)
            except (OSError, ValueError):
                return
            if readable:
                try:
                    data = os.read(self._master, 4096)
                except BlockingIOError:
                    data = b""
                except OSError:
                    data = b""
                if data:
                    self._rx.extend(data)
                    self._parse()
            if self.scanning and not self.silent and time.monotonic() >= self._next_chunk:
                self._send_scan_chunk()

    def _parse(self) -> None:
        buf = self._rx
        while buf:
            if buf[0] != SYNC:
                del buf[0]
                continue
            if len(buf) < 2:
                return
            cmd = buf[1]
            payload = b""
            if cmd & 0x80:
                if len(buf) < 3:
                    return
                size = buf[2]
                if len(buf) < 4 + size:
                    return
                payload = bytes(buf[3:3 + size])
                checksum = 0
                for byte in buf[:3 + size]:
                    checksum ^= byte
                ok = checksum == buf[3 + size]
                del buf[:4 + size]
                if not ok:
                    continue
            else:
                del buf[:2]
            self._handle(cmd, payload)

    def _handle(self, cmd: int, payload: bytes) -> None:
        with self._lock:
            self.commands.append((cmd, payload))
            if self.silent:
                return
        if cmd == CMD_GET_INFO:
            body = bytes([self.model, self.firmware[1], self.firmware[0], self.hardware]) + self.serial
            self._write(descriptor(20, False, 0x04) + body)
        elif cmd == CMD_GET_HEALTH:
            status, code = self._health
            self._write(descriptor(3, False, 0x06) + struct.pack("<BH", status, code))
        elif cmd == CMD_GET_SAMPLERATE:
            self._write(descriptor(4, False, 0x15) + struct.pack("<HH", 500, 250))
        elif cmd in (CMD_SCAN, CMD_FORCE_SCAN):
            if self._health[0] == 2:
                return  # protection stop: the device does not start measuring
            self._write(descriptor(5, True, 0x81))
            with self._lock:
                self.scanning = True
                self._pending.clear()
            self._next_chunk = time.monotonic()
        elif cmd == CMD_STOP:
            with self._lock:
                self.scanning = False
                self._pending.clear()
        elif cmd == CMD_RESET:
            with self._lock:
                self.scanning = False
                self._pending.clear()
                self.motor_pwm = 0
                self.resets += 1
            if self.reset_clears_health:
                self._health = (0, 0)
            time.sleep(self.reset_delay)
            self._write(b"RP LIDAR System.\r\nFirmware Ver %d.%02d - rc0, HW Ver %d\r\nModel: %d\r\n"
                        % (self.firmware[0], self.firmware[1], self.hardware, self.model))
        elif cmd == CMD_SET_MOTOR_PWM and len(payload) == 2:
            self.motor_pwm = struct.unpack("<H", payload)[0]

    def _send_scan_chunk(self) -> None:
        chunks_per_rev = 10
        period = 1.0 / self.scan_hz
        with self._lock:
            if not self._pending:
                nodes = list(self.scan_provider())
                encoded = b"".join(encode_node(a, d, q, i == 0) for i, (a, d, q) in enumerate(nodes))
                step = max(5, (len(nodes) // chunks_per_rev) * 5)
                self._pending = [encoded[i:i + step] for i in range(0, len(encoded), step)]
                self.revolutions_sent += 1
            chunk = self._pending.pop(0) if self._pending else b""
            if self.silent_after_nodes is not None:
                allowed = max(0, self.silent_after_nodes - self.nodes_sent) * 5
                if allowed < len(chunk):
                    chunk = chunk[:allowed]
                    self.silent = True
                    self._pending.clear()
            self.nodes_sent += len(chunk) // 5
        if chunk:
            self._write(chunk)
        self._next_chunk += period / chunks_per_rev
        if self._next_chunk < time.monotonic() - period:
            self._next_chunk = time.monotonic()
