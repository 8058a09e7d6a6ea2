"""A simulated RPLidar (A1/A2 class) behind a pseudo-terminal, speaking the real serial protocol.

`RplidarDevice(scan_provider)` opens a pty; `.port` is the slave path a driver opens like /dev/ttyUSB0.
The device thread answers on the master side:

    request                 response
    A5 50 GET_INFO          A5 5A 14 00 00 00 04 + model, fw minor, fw major, hardware, serial[16]
    A5 52 GET_HEALTH        A5 5A 03 00 00 00 06 + status (0 good, 1 warning, 2 error), error code u16 LE
    A5 59 GET_SAMPLERATE    A5 5A 04 00 00 00 15 + t_standard u16, t_express u16 (microseconds)
                            (firmware 1.17 and later)
    A5 84 04|06 type[4] [mode u16] cs  GET_LIDAR_CONF (firmware 1.24 and later)
                            A5 5A len 00 00 00 20 + type u32 + value: 0x70 scan mode count (u16),
                            0x71 microseconds per sample of a mode (u32, Q8), 0x74 its maximum
                            distance (u32, Q8 metres), 0x75 its answer type (u8), 0x7C the typical
                            mode (u16), 0x7F its name (NUL-terminated text); unknown types: no answer
    A5 20 SCAN / A5 21 FORCE_SCAN
                            A5 5A 05 00 00 40 81, then 5-byte measurement nodes, revolution after
                            revolution, until STOP (no answer while the health status is error)
    A5 82 05 mode flags[2] param[2] cs  EXPRESS_SCAN: mode 0 = the legacy express scan, else the
                            id of a scan mode whose answer type is 0x82 (Express, Boost)
                            A5 5A 54 00 00 40 82, then 84-byte express capsules (below)
    A5 25 STOP              none; scanning stops
    A5 40 RESET             none; scanning and motor stop, a boot banner is printed
    A5 F0 02 lo hi cs       none; motor PWM (0 = stopped), checksum = XOR of all preceding bytes

A measurement node: byte0 = quality << 2 | !S << 1 | S (S = first node of a revolution),
byte1 = angle_q6 << 1 | 1 (check bit), byte2 = angle_q6 >> 7, bytes 3-4 = distance_q2 (mm * 4) LE.

An express capsule carries 32 measurements: byte0 = 0xA0 | checksum low nibble, byte1 = 0x50 |
checksum high nibble (checksum = XOR of bytes 2..83), bytes 2-3 = start angle q6 (bit 15 set on the
first capsule after EXPRESS_SCAN), then 16 cabins of 5 bytes: two u16 = distance_mm << 2 | sign << 1 |
bit 4 of the angle offset, and one byte with the low 4 bits of both angle offsets (q3 degrees). The
angle of measurement k is start + k * (next capsule's start - start) / 32 - its offset.

`scan_provider()` returns one revolution as (angle_deg, distance_mm, quality) tuples; it is called
once per revolution at `scan_hz`; an express scan samples it at the mode's rate (Express: twice the
standard count of measurements, Boost: four times, rounded to whole capsules). Failure modes for
tests: `silent_after_nodes=N` (nodes, or capsules in an express scan; or `go_silent()`)
makes the device stop talking mid-scan and ignore every command until `wake()`; `health=(2, code)`
makes it report a hardware error (cleared by RESET only when `reset_clears_health`); `unplug()` and
`replug()` pull and put back the USB cable.
"""

from __future__ import annotations

import errno
import fcntl
import os
import struct
import threading
import time
import tty
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass

SYNC = 0xA5
SYNC2 = 0x5A
CMD_STOP = 0x25
CMD_RESET = 0x40
CMD_SCAN = 0x20
CMD_FORCE_SCAN = 0x21
CMD_GET_INFO = 0x50
CMD_GET_HEALTH = 0x52
CMD_GET_SAMPLERATE = 0x59
CMD_EXPRESS_SCAN = 0x82
CMD_GET_LIDAR_CONF = 0x84
CMD_SET_MOTOR_PWM = 0xF0
ANS_MEASUREMENT = 0x81
ANS_CAPSULED = 0x82
ANS_ULTRA_CAPSULED = 0x84
ANS_LIDAR_CONF = 0x20
CONF_SCAN_MODE_COUNT = 0x70
CONF_SCAN_MODE_US_PER_SAMPLE = 0x71
CONF_SCAN_MODE_MAX_DISTANCE = 0x74
CONF_SCAN_MODE_ANS_TYPE = 0x75
CONF_SCAN_MODE_TYPICAL = 0x7C
CONF_SCAN_MODE_NAME = 0x7F
CAPSULE_LEN = 84

ScanProvider = Callable[[], Sequence[tuple[float, float, int]]]


@dataclass(frozen=True)
class SimScanMode:
    """A scan mode as GET_LIDAR_CONF reports it."""

    name: str
    us_per_sample: float
    max_distance_m: float
    answer_type: int  # 0x81 standard nodes, 0x82 express capsules, 0x84 ultra capsules (listed, not sent)


# An A1M8 with firmware 1.29 reports these (its Boost mode doubles the express sample rate).
A1_SCAN_MODES = (
    SimScanMode("Standard", 500.0, 12.0, ANS_MEASUREMENT),
    SimScanMode("Express", 250.0, 12.0, ANS_CAPSULED),
    SimScanMode("Boost", 125.0, 12.0, ANS_CAPSULED),
)


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


def encode_capsule(start_angle_deg: float, distances_mm: Sequence[float], first: bool = False,
                   offsets_q3: Sequence[int] | None = None) -> bytes:
    """One 84-byte express capsule of 32 distances (offsets: signed angle offsets in 1/8 degree)."""
    if len(distances_mm) != 32:
        raise ValueError("an express capsule carries 32 measurements")
    offsets = list(offsets_q3) if offsets_q3 is not None else [0] * 32
    start_q6 = int(round((start_angle_deg % 360.0) * 64.0)) & 0x7FFF
    body = bytearray(struct.pack("<H", start_q6 | (0x8000 if first else 0)))
    for cabin in range(16):
        words, low = [], 0
        for half in range(2):
            k = cabin * 2 + half
            distance = max(0, min(0x3FFF, int(round(distances_mm[k]))))
            offset = max(-31, min(31, int(offsets[k])))
            magnitude = abs(offset)
            words.append((distance << 2) | ((1 if offset < 0 else 0) << 1) | (magnitude >> 4))
            low |= (magnitude & 0x0F) << (4 * half)
        body += struct.pack("<HHB", words[0], words[1], low)
    checksum = 0
    for byte in body:
        checksum ^= byte
    return bytes([0xA0 | (checksum & 0x0F), 0x50 | (checksum >> 4)]) + bytes(body)


def ring_scan(distance_mm: float = 1000.0, points: int = 360, quality: int = 47) -> ScanProvider:
    """A provider for a round room: every angle at the same distance."""
    nodes = [(i * 360.0 / points, distance_mm, quality) for i in range(points)]
    return lambda: nodes


class RplidarDevice:
    """A pty that behaves like an RPLidar on a USB serial adapter."""

    def __init__(self, scan_provider: ScanProvider, *, scan_hz: float = 10.0, model: int = 0x18,
                 firmware: tuple[int, int] = (1, 29), hardware: int = 7, serial: bytes | None = None,
                 health: tuple[int, int] = (0, 0), reset_clears_health: bool = False,
                 silent_after_nodes: int | None = None, reset_delay: float = 0.01,
                 scan_modes: Sequence[SimScanMode] = A1_SCAN_MODES, typical_mode: int = 2,
                 link: str | os.PathLike[str] | None = None) -> None:
        """`firmware` decides which commands are answered (GET_SAMPLERATE and the legacy express scan
        from 1.17, GET_LIDAR_CONF and express scans by mode id from 1.24), as on the real devices.
        `link`: a path kept as a symlink to the current pty (like /dev/ttyUSB0 of the adapter),
        removed by `unplug()` and made again by `replug()`."""
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
        self.scan_modes = tuple(scan_modes)
        self.typical_mode = int(typical_mode)
        self.scan_mode: SimScanMode | None = None  # the mode being streamed
        self.plugged = False
        self._link = os.fspath(link) if link is not None else None
        self._express_first = False
        self._plug()

    def _plug(self) -> None:
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
        if self._link is not None:
            tmp = f"{self._link}.{os.getpid()}.tmp"
            if os.path.lexists(tmp):
                os.unlink(tmp)
            os.symlink(self.port, tmp)
            os.replace(tmp, self._link)
        self.plugged = True

    def unplug(self) -> None:
        """Pull the USB cable: the port disappears (link removed, pty closed), the device powers off."""
        if not self.plugged:
            return
        self.plugged = False
        if self._link is not None and os.path.lexists(self._link):
            os.unlink(self._link)
        self._close_pty()
        with self._lock:
            self.scanning = False
            self.scan_mode = None
            self.motor_pwm = 0
            self._pending.clear()

    def replug(self) -> None:
        """Plug the cable back in: a new pty (a new /dev/pts number), the link points at it again."""
        if not self.plugged:
            self._plug()

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
                 CMD_GET_SAMPLERATE: "GET_SAMPLERATE", CMD_SET_MOTOR_PWM: "SET_MOTOR_PWM",
                 CMD_EXPRESS_SCAN: "EXPRESS_SCAN", CMD_GET_LIDAR_CONF: "GET_LIDAR_CONF"}
        with self._lock:
            return [names.get(cmd, f"0x{cmd:02X}") for cmd, _ in self.commands]

    def close(self) -> None:
        self.unplug()

    def _close_pty(self) -> None:
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
        elif cmd == CMD_GET_SAMPLERATE and self.firmware >= (1, 17):
            standard, express = self.scan_modes[0], self._legacy_express()
            self._write(descriptor(4, False, 0x15) + struct.pack("<HH", int(standard.us_per_sample),
                                                                 int(express.us_per_sample)))
        elif cmd == CMD_GET_LIDAR_CONF and self.firmware >= (1, 24):
            self._answer_conf(payload)
        elif cmd in (CMD_SCAN, CMD_FORCE_SCAN):
            self._start_scan(self.scan_modes[0])
        elif cmd == CMD_EXPRESS_SCAN and self.firmware >= (1, 17) and len(payload) == 5:
            mode_id = payload[0]
            if mode_id == 0:
                self._start_scan(self._legacy_express())
            elif mode_id < len(self.scan_modes) and self.firmware >= (1, 24) \
                    and self.scan_modes[mode_id].answer_type == ANS_CAPSULED:
                self._start_scan(self.scan_modes[mode_id])
        elif cmd == CMD_STOP:
            with self._lock:
                self.scanning = False
                self.scan_mode = None
                self._pending.clear()
        elif cmd == CMD_RESET:
            with self._lock:
                self.scanning = False
                self.scan_mode = None
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

    def _legacy_express(self) -> SimScanMode:
        """The mode a legacy EXPRESS_SCAN (mode 0) runs: the first capsuled one."""
        for mode in self.scan_modes:
            if mode.answer_type == ANS_CAPSULED:
                return mode
        return SimScanMode("Express", self.scan_modes[0].us_per_sample / 2, 12.0, ANS_CAPSULED)

    def _answer_conf(self, payload: bytes) -> None:
        if len(payload) < 4:
            return
        conf_type = struct.unpack("<I", payload[:4])[0]
        mode_id = struct.unpack("<H", payload[4:6])[0] if len(payload) >= 6 else 0
        mode = self.scan_modes[mode_id] if mode_id < len(self.scan_modes) else None
        value: bytes | None = None
        if conf_type == CONF_SCAN_MODE_COUNT:
            value = struct.pack("<H", len(self.scan_modes))
        elif conf_type == CONF_SCAN_MODE_TYPICAL:
            value = struct.pack("<H", self.typical_mode)
        elif mode is not None and conf_type == CONF_SCAN_MODE_US_PER_SAMPLE:
            value = struct.pack("<I", int(round(mode.us_per_sample * 256)))
        elif mode is not None and conf_type == CONF_SCAN_MODE_MAX_DISTANCE:
            value = struct.pack("<I", int(round(mode.max_distance_m * 256)))
        elif mode is not None and conf_type == CONF_SCAN_MODE_ANS_TYPE:
            value = bytes([mode.answer_type])
        elif mode is not None and conf_type == CONF_SCAN_MODE_NAME:
            value = mode.name.encode("ascii") + b"\0"
        if value is not None:
            body = struct.pack("<I", conf_type) + value
            self._write(descriptor(len(body), False, ANS_LIDAR_CONF) + body)

    def _start_scan(self, mode: SimScanMode) -> None:
        if self._health[0] == 2:
            return  # protection stop: the device does not start measuring
        capsuled = mode.answer_type == ANS_CAPSULED
        self._write(descriptor(CAPSULE_LEN, True, ANS_CAPSULED) if capsuled else descriptor(5, True, ANS_MEASUREMENT))
        with self._lock:
            self.scanning = True
            self.scan_mode = mode
            self._pending.clear()
            self._express_first = True
        self._next_chunk = time.monotonic()

    def _express_revolution(self, nodes: Sequence[tuple[float, float, int]]) -> list[bytes]:
        """One revolution as capsules: the provider's room sampled at this mode's rate."""
        assert self.scan_mode is not None
        ordered = sorted(nodes, key=lambda n: n[0] % 360.0)
        angles = [n[0] % 360.0 for n in ordered]
        factor = self.scan_modes[0].us_per_sample / self.scan_mode.us_per_sample
        count = max(32, int(round(len(ordered) * factor / 32.0)) * 32)
        capsules = []
        for start in range(0, count, 32):
            distances = []
            for k in range(start, start + 32):
                angle = k * 360.0 / count
                i = bisect_left(angles, angle) % len(angles) if angles else 0
                distances.append(ordered[i][1] if ordered else 0.0)
            capsules.append(encode_capsule(start * 360.0 / count, distances, first=self._express_first))
            self._express_first = False
        return capsules

    def _send_scan_chunk(self) -> None:
        chunks_per_rev = 10
        period = 1.0 / self.scan_hz
        with self._lock:
            capsuled = self.scan_mode is not None and self.scan_mode.answer_type == ANS_CAPSULED
            unit = CAPSULE_LEN if capsuled else 5
            if not self._pending:
                nodes = list(self.scan_provider())
                if capsuled:
                    capsules = self._express_revolution(nodes)
                    step = max(1, len(capsules) // chunks_per_rev)
                    self._pending = [b"".join(capsules[i:i + step]) for i in range(0, len(capsules), step)]
                else:
                    encoded = b"".join(encode_node(a, d, q, i == 0) for i, (a, d, q) in enumerate(nodes))
                    step = max(5, (len(nodes) // chunks_per_rev) * 5)
                    self._pending = [encoded[i:i + step] for i in range(0, len(encoded), step)]
                self.revolutions_sent += 1
            chunk = self._pending.pop(0) if self._pending else b""
            if self.silent_after_nodes is not None:
                allowed = max(0, self.silent_after_nodes - self.nodes_sent) * unit
                if allowed < len(chunk):
                    chunk = chunk[:allowed]
                    self.silent = True
                    self._pending.clear()
            self.nodes_sent += len(chunk) // unit
        if chunk:
            self._write(chunk)
        self._next_chunk += period / chunks_per_rev
        if self._next_chunk < time.monotonic() - period:
            self._next_chunk = time.monotonic()
