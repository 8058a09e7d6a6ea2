"""The simulated car: `python -m sim.world [--track loop|single_turn|s_curve|speedway] ...`

One process that stands in for the car's hardware at the kernel boundary:

- reads the PWM duties (channel 0 ESC, 1 steering servo, 2-4 tail light) and the servo power GPIO
  (436) from the simulated sysfs tree (DEEPRACER_SYSFS_ROOT), where the REAL servo/LED drivers write;
- steps the vehicle physics at a fixed rate (100 Hz) on one of the guide's track templates;
- renders the front camera (and the second one with --stereo) at 15/30 fps and writes each frame as
  JPEG, as a USB camera's MJPEG stream, into `<sim_dir>/camera{0,1}.frame` (drivers.frame_file),
  which the camera driver's "sim" source passes on as it is;
- runs an RPLidar on a pty speaking the real serial protocol (sim.rplidar_device) with ray-cast
  scans, linked at `<sim_dir>/dev/ttyUSB0`;
- writes the fuel-gauge register value to `<sim_dir>/fuel_gauge` (battery drain), `<sim_dir>/track.json`
  once, `<sim_dir>/status.json` (~10 Hz: laps, lap timer, off-track events, pose, trail) and
  `<sim_dir>/leds.json` (tail light, status LEDs).

SIGUSR1 puts the car back on the start line and starts a new session (laps, off-track count, trail).

`Simulation` holds the pure-Python world (vehicle + referee + renderers + LiDAR) so it can be stepped
without any I/O (tests, the sample-model script); `World` adds the files and devices.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from calibration.maths import LED_ON
from sim.camera_render import CameraModel, CameraRenderer, make_renderers
from sim.lidar_raycast import LidarMount, LidarRaycaster
from sim.physics import Battery, PhysicalCar, Vehicle
from sim.referee import RaceEvent, Referee
from sim.status import LEDS_FILE, STATUS_FILE, TRACK_FILE
from sim.track import TRACKS, Track, make_track

log = logging.getLogger("sim.world")

PHYSICS_HZ = 100.0
PWM_HZ = 50.0  # the servo PWM period is 20 ms
STATUS_HZ = 10.0
THROTTLE_CHANNEL = 0
STEERING_CHANNEL = 1
LED_CHANNELS = {"red": 2, "green": 3, "blue": 4}
SERVO_POWER_GPIO = 436
STATUS_LED_GPIOS = {"wifi": (448, 447, 437), "camera": (446, 445, 443), "power": (450, 457, 458)}
TAIL_LIGHT_FULL_NS = LED_ON  # the original servo node's full tail light


def _collides(vehicle: Vehicle, track: Track) -> bool:
    """True when the car's body touches a barrier or a box."""
    corners = vehicle.body_corners()
    w, h = track.size
    if (corners[:, 0] < 0).any() or (corners[:, 0] > w).any() or (corners[:, 1] < 0).any() or (corners[:, 1] > h).any():
        return True
    for box in track.obstacles:
        if _polygons_overlap(corners, box.corners()):
            return True
    return False


def _polygons_overlap(a: np.ndarray, b: np.ndarray) -> bool:
    """Separating-axis test for two convex polygons (N, 2)."""
    for poly in (a, b):
        for i in range(len(poly)):
            edge = poly[(i + 1) % len(poly)] - poly[i]
            axis = np.array([-edge[1], edge[0]])
            pa, pb = a @ axis, b @ axis
            if pa.max() < pb.min() or pb.max() < pa.min():
                return False
    return True


@dataclass
class Simulation:
    """Vehicle, track, referee and sensors, stepped explicitly (no clocks, no files)."""

    track: Track
    vehicle: Vehicle = field(default_factory=Vehicle)
    referee: Referee | None = None
    renderers: list[CameraRenderer] = field(default_factory=list)
    lidar: LidarRaycaster | None = None
    time: float = 0.0
    events: list[RaceEvent] = field(default_factory=list)

    @classmethod
    def create(cls, track: str | Track = "loop", stereo: bool = False, obstacles: int = 0, lidar: bool = True,
               camera: CameraModel | None = None, car: PhysicalCar | None = None, battery: Battery | None = None,
               reset_after: float = 2.0, start_s: float = 0.0, render: bool = True) -> Simulation:
        trk = make_track(track, obstacles=obstacles) if isinstance(track, str) else track
        vehicle = Vehicle(car=car or PhysicalCar(), battery=battery or Battery())
        referee = Referee(trk, reset_after=reset_after)
        sim = cls(track=trk, vehicle=vehicle, referee=referee,
                  renderers=make_renderers(trk, stereo=stereo, camera=camera) if render else [],
                  lidar=LidarRaycaster(trk, LidarMount()) if lidar else None)
        referee.start(vehicle, start_s)
        return sim

    def step(self, dt: float, throttle_duty: int | None, steering_duty: int | None, powered: bool = True) -> list[RaceEvent]:
        """Advance the physics by dt with the given pulse widths (ns)."""
        veh = self.vehicle
        veh.apply_pwm(throttle_duty, steering_duty, powered)
        before = (veh.state.x, veh.state.y, veh.state.yaw)
        veh.step(dt)
        collided = _collides(veh, self.track)
        if collided:  # the car stops against the obstacle
            veh.state.x, veh.state.y, veh.state.yaw = before
            veh.stop()
        self.time += dt
        events = self.referee.update(self.time, veh, collided) if self.referee else []
        self.events.extend(events)
        return events

    def render(self, index: int = 0, out: np.ndarray | None = None) -> np.ndarray:
        st = self.vehicle.state
        return self.renderers[index].render(st.x, st.y, st.yaw, out)

    def scan(self, phase_deg: float = 0.0) -> list[tuple[float, float, int]]:
        if self.lidar is None:
            return []
        st = self.vehicle.state
        return self.lidar.scan(st.x, st.y, st.yaw, phase_deg)

    def status(self, now: float | None = None) -> dict[str, Any]:
        """The status.json document."""
        st = self.vehicle.state
        ref = self.referee
        now = self.time if now is None else now
        return {
            "track": self.track.name,
            "laps": ref.laps if ref else 0,
            "off_track": ref.off_track if ref else 0,
            "last_lap_s": None if not ref or ref.last_lap_s is None else round(ref.last_lap_s, 3),
            "pose": {"x": round(st.x, 4), "y": round(st.y, 4), "yaw": round(st.yaw, 4)},
            "speed": round(st.speed, 3),
            "trail": [list(p) for p in ref.trail] if ref else [],
            "lap_time_s": round(ref.lap_time(now), 3) if ref else 0.0,
        }


def _replace_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":")))
    os.replace(tmp, path)


class SysfsActuators:
    """Reads what the drivers wrote into the (simulated) sysfs tree: PWM duties and GPIO values."""

    REOPEN_S = 1.0  # re-open cached files this often (a file replaced by a new inode is noticed)

    def __init__(self, sysfs: Path) -> None:
        self.sysfs = Path(sysfs)
        self._last: dict[Path, int] = {}
        self._chip_dir: Path | None = None
        self._gpio_paths: dict[int, Path] = {}
        self._fds: dict[Path, int] = {}
        self._opened_at = time.monotonic()

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def _read_text(self, path: Path) -> str:
        """Like reading a sysfs attribute: pread from offset 0 on a cached descriptor."""
        now = time.monotonic()
        if now - self._opened_at > self.REOPEN_S:
            self.close()
            self._opened_at = now
        fd = self._fds.get(path)
        if fd is None:
            fd = os.open(path, os.O_RDONLY)
            self._fds[path] = fd
        try:
            return os.pread(fd, 64, 0).decode("ascii", "replace")
        except OSError:
            os.close(self._fds.pop(path))
            raise

    def _read_int(self, path: Path) -> int | None:
        try:
            text = self._read_text(path).strip()
        except OSError:
            self._last.pop(path, None)
            return None
        if not text:  # caught between the driver's truncate and write: keep the previous value
            return self._last.get(path)
        try:
            value = int(text)
        except ValueError:
            return None
        self._last[path] = value
        return value

    def _chip(self) -> Path:
        """The servo PWM chip, found like the servo driver finds it (cached while it exists)."""
        from drivers.pwm import find_pwm_chip

        if self._chip_dir is None or not self._chip_dir.exists():
            self._chip_dir = find_pwm_chip(self.sysfs)
        return self._chip_dir

    def duty(self, channel: int) -> int | None:
        """Pulse width in ns of an exported channel, None when the channel is not configured."""
        chip = self._chip()
        dirname = chip / f"pwm{channel}"
        period = self._read_int(dirname / "period")
        duty = self._read_int(dirname / "duty_cycle")
        if duty is None or not period:
            return None
        if self._read_int(dirname / "enable") == 0:  # a disabled channel outputs no pulses
            return None
        return duty

    def gpio(self, number: int) -> int | None:
        from drivers.gpio import SysfsGpio

        path = self._gpio_paths.get(number)
        if path is None or not path.exists():
            kernel = SysfsGpio(self.sysfs).kernel_number(number)
            path = self.sysfs / "class" / "gpio" / f"gpio{kernel}" / "value"
            self._gpio_paths[number] = path
        return self._read_int(path)

    def servo_powered(self) -> bool:
        """GPIO 436 low = servo and ESC powered (as the original servo node drives it)."""
        return self.gpio(SERVO_POWER_GPIO) == 0

    def leds(self) -> dict[str, Any]:
        tail = {}
        for colour, channel in LED_CHANNELS.items():
            duty = self.duty(channel) or 0
            tail[colour] = int(round(255 * min(1.0, duty / TAIL_LIGHT_FULL_NS)))
        status = {}
        for name, pins in STATUS_LED_GPIOS.items():
            status[name] = [int(self.gpio(p) or 0) for p in pins]
        return {"tail_light": tail, "status_leds": status}


@dataclass
class WorldConfig:
    track: str = "loop"
    fps: float = 15.0
    stereo: bool = False
    obstacles: int = 0
    lidar: bool = True
    physics_hz: float = PHYSICS_HZ
    status_hz: float = STATUS_HZ
    battery: float = 1.0
    drain_scale: float = 1.0
    reset_after: float = 2.0
    width: int = 640
    height: int = 480
    jpeg_quality: int = 90  # the frames are JPEG, as a USB camera's MJPEG stream
    sim_dir: Path | None = None
    sysfs: Path | None = None


class World:
    """The simulator process: clocks, files and devices around a Simulation."""

    def __init__(self, config: WorldConfig) -> None:
        from runtime.paths import sim_dir, sysfs_root

        self.config = config
        self.sim_dir = Path(config.sim_dir) if config.sim_dir else sim_dir()
        self.sysfs = Path(config.sysfs) if config.sysfs else sysfs_root()
        camera = CameraModel(width=config.width, height=config.height)
        self.sim = Simulation.create(config.track, stereo=config.stereo, obstacles=config.obstacles,
                                     lidar=config.lidar, camera=camera,
                                     battery=Battery(soc=config.battery, drain_scale=config.drain_scale),
                                     reset_after=config.reset_after)
        self.actuators = SysfsActuators(self.sysfs)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pose = (self.sim.vehicle.state.x, self.sim.vehicle.state.y, self.sim.vehicle.state.yaw)
        self._writers: list[Any] = []
        self._lidar_device: Any = None
        self._lidar_link: Path | None = None
        self._scan_phase = 0.0
        self._last_gauge: int | None = None
        self._last_leds: dict[str, Any] | None = None
        self.frames = 0
        self.render_cpu_s = 0.0
        self._tick = 0
        self._read_every = max(1, int(round(config.physics_hz / PWM_HZ)))
        self._inputs: tuple[int | None, int | None, bool] | None = None
        self._reset_requested = False

    # ---- set-up / tear-down ---------------------------------------------------------------------
    def open(self) -> None:
        from drivers.frame_file import FrameWriter
        from runtime.atomic import atomic_write_json

        self.sim_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_json(self.sim_dir / TRACK_FILE, self.sim.track.to_json(), indent=None)
        for i, _renderer in enumerate(self.sim.renderers):
            self._writers.append(FrameWriter(self.sim_dir / f"camera{i}.frame", self.config.width, self.config.height, 3,
                                             jpeg_quality=self.config.jpeg_quality))
        stale = self.sim_dir / "camera1.frame"
        if not self.config.stereo and stale.exists():
            stale.unlink()
        if self.config.lidar:
            self._open_lidar()
        self._write_gauge()
        self._write_status()

    def _open_lidar(self) -> None:
        try:
            from sim.rplidar_device import RplidarDevice
        except ImportError as exc:  # the device emulator is optional for the world itself
            log.warning("no simulated RPLidar: %s", exc)
            return
        self._lidar_device = RplidarDevice(self._scan_provider, scan_hz=self.sim.lidar.mount.rate_hz
                                           if self.sim.lidar else 10.0)
        link = self.sim_dir / "dev" / "ttyUSB0"
        link.parent.mkdir(parents=True, exist_ok=True)
        tmp = link.with_name(f".ttyUSB0.{os.getpid()}")
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(self._lidar_device.port, tmp)
        os.replace(tmp, link)
        self._lidar_link = link

    def _scan_provider(self) -> list[tuple[float, float, int]]:
        x, y, yaw = self._pose
        assert self.sim.lidar is not None
        # each revolution starts at a slightly different angle, like the real spinning head
        self._scan_phase = (self._scan_phase + 0.37) % 1.0
        return self.sim.lidar.scan(x, y, yaw, self._scan_phase)

    def close(self) -> None:
        self.actuators.close()
        for writer in self._writers:
            writer.close()
        self._writers.clear()
        if self._lidar_device is not None:
            self._lidar_device.close()
            self._lidar_device = None
        if self._lidar_link is not None and self._lidar_link.is_symlink():
            self._lidar_link.unlink()
        for name in (STATUS_FILE, LEDS_FILE):
            try:
                (self.sim_dir / name).unlink()
            except FileNotFoundError:
                pass

    def stop(self) -> None:
        self._stop.set()

    def request_reset(self) -> None:
        """Put the car back on the start line and start a new session (laps, off-track, trail),
        at the next physics step (safe to call from a signal handler: SIGUSR1)."""
        self._reset_requested = True

    def _reset(self) -> None:
        self._reset_requested = False
        old = self.sim.referee
        assert old is not None
        self.sim.referee = Referee(self.sim.track, reset_after=old.reset_after)
        self.sim.referee.start(self.sim.vehicle, 0.0)
        self.sim.vehicle.state.speed = 0.0
        log.info("reset: the car is back on the start line, new session")

    # ---- periodic work --------------------------------------------------------------------------
    def _physics(self, dt: float) -> None:
        if self._reset_requested:
            self._reset()
        act = self.actuators
        self._tick += 1
        if self._tick % self._read_every == 0 or self._inputs is None:
            # servos and ESCs take a new pulse width once per 20 ms PWM period
            self._inputs = (act.duty(THROTTLE_CHANNEL), act.duty(STEERING_CHANNEL), act.servo_powered())
        throttle, steering, powered = self._inputs
        events = self.sim.step(dt, throttle, steering, powered)
        st = self.sim.vehicle.state
        self._pose = (st.x, st.y, st.yaw)
        for ev in events:
            log.info("%s at %.2f s %s", ev.kind, ev.time, {k: round(v, 3) for k, v in ev.detail.items()})

    def _render(self) -> None:
        t0 = time.process_time()
        stamp = time.time_ns()
        for i, writer in enumerate(self._writers):
            frame = self.sim.render(i)
            writer.write(frame, stamp)
        self.frames += 1
        self.render_cpu_s += time.process_time() - t0

    def _write_status(self) -> None:
        # replaced atomically (readers never see half a file) but not fsynced: it is live state,
        # rewritten 10 times a second, not something that must survive a power cut
        _replace_json(self.sim_dir / STATUS_FILE, self.sim.status())
        leds = self.actuators.leds()
        if leds != self._last_leds:
            _replace_json(self.sim_dir / LEDS_FILE, leds)
            self._last_leds = leds
        self._write_gauge()

    def _write_gauge(self) -> None:
        from runtime.atomic import atomic_write_text

        value = self.sim.vehicle.battery.register_value()
        if value != self._last_gauge:
            atomic_write_text(self.sim_dir / "fuel_gauge", f"{value}\n")
            self._last_gauge = value

    def run(self, duration: float | None = None) -> None:
        """Run in real time until stop() (or for `duration` seconds)."""
        cfg = self.config
        dt = 1.0 / cfg.physics_hz
        frame_dt = 1.0 / cfg.fps
        status_dt = 1.0 / cfg.status_hz
        start = time.monotonic()
        next_phys = start
        next_frame = start
        next_status = start + status_dt
        while not self._stop.is_set():
            now = time.monotonic()
            if duration is not None and now - start >= duration:
                break
            steps = 0
            while next_phys <= now and steps < 20:
                self._physics(dt)
                next_phys += dt
                steps += 1
            if next_phys <= now:  # far behind (machine suspended): drop the backlog
                next_phys = now + dt
            if next_frame <= now:
                self._render()
                next_frame += frame_dt
                if next_frame <= now:
                    next_frame = now + frame_dt
            if next_status <= now:
                self._write_status()
                next_status += status_dt
                if next_status <= now:
                    next_status = now + status_dt
            wake = min(next_phys, next_frame, next_status)
            delay = wake - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m sim.world", description=__doc__.split("\n\n")[0])
    p.add_argument("--track", choices=sorted(TRACKS), default="loop")
    p.add_argument("--fps", type=float, default=15.0, help="camera frame rate (15 or 30)")
    p.add_argument("--stereo", action="store_true", help="a second (right) camera at camera1.frame")
    p.add_argument("--obstacles", type=int, default=0, help="number of box obstacles on the track")
    p.add_argument("--no-lidar", dest="lidar", action="store_false", help="no simulated RPLidar")
    p.add_argument("--battery", type=float, default=1.0, help="initial charge 0..1")
    p.add_argument("--drain-scale", type=float, default=1.0, help="battery drains this many times faster")
    p.add_argument("--reset-after", type=float, default=2.0,
                   help="seconds off the track before the car is put back (0 = never)")
    p.add_argument("--sim-dir", type=Path, default=None, help="default: <DEEPRACER_STATE_DIR>/sim")
    p.add_argument("--sysfs-root", type=Path, default=None, help="default: DEEPRACER_SYSFS_ROOT")
    p.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    args = p.parse_args(argv)
    if not 1.0 <= args.fps <= 60.0:
        p.error("--fps must be between 1 and 60")
    if args.obstacles < 0 or args.obstacles > 20:
        p.error("--obstacles must be between 0 and 20")
    if not 0.0 <= args.battery <= 1.0:
        p.error("--battery must be between 0 and 1")
    return args


def main(argv: list[str] | None = None, ready: Callable[[World], None] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="[sim] %(message)s")
    args = parse_args(argv)
    cfg = WorldConfig(track=args.track, fps=args.fps, stereo=args.stereo, obstacles=args.obstacles,
                      lidar=args.lidar, battery=args.battery, drain_scale=args.drain_scale,
                      reset_after=args.reset_after, sim_dir=args.sim_dir, sysfs=args.sysfs_root)
    world = World(cfg)
    signal.signal(signal.SIGINT, lambda *_: world.stop())
    signal.signal(signal.SIGTERM, lambda *_: world.stop())
    signal.signal(signal.SIGUSR1, lambda *_: world.request_reset())
    world.open()
    log.info("track %s (%.2f m), camera %dx%d at %g fps%s, sim dir %s, sysfs %s", world.sim.track.name,
             world.sim.track.length, cfg.width, cfg.height, cfg.fps, " stereo" if cfg.stereo else "",
             world.sim_dir, world.sysfs)
    if ready:
        ready(world)
    try:
        world.run(args.duration)
    finally:
        world.close()
        log.info("stopped: rendered %d frames, %.2f ms CPU each", world.frames,
                 1000 * world.render_cpu_s / max(1, world.frames))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["Simulation", "SysfsActuators", "World", "WorldConfig", "main"]
