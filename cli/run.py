"""`deepracer run`: start the node graph under the supervisor."""

from __future__ import annotations

import argparse
import os
import signal
import threading
from pathlib import Path

from cli.common import default_sim_state_dir
from runtime.paths import process_logs_dir


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="start the whole stack (simulated car or hardware)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--sim", action="store_true", help="simulated car (default when no car hardware is found)")
    mode.add_argument("--hardware", action="store_true", help="real car hardware")
    parser.add_argument("--port", type=int, default=None, help="console HTTP port (sim default 8080, car 80)")
    parser.add_argument("--https-port", type=int, default=None, help="console HTTPS port (sim 8443, car 443)")
    parser.add_argument("--track", default="loop", help="simulated track: loop, single_turn, s_curve, speedway")
    parser.add_argument("--fps", type=float, default=15.0, help="simulated camera frame rate (15 or 30)")
    parser.add_argument("--obstacles", type=int, default=0, help="box obstacles on the simulated track")
    parser.add_argument("--stereo", action="store_true", help="a stereo camera pair on the simulated car")
    parser.add_argument("--only", default=None,
                        help="comma-separated process names to start (default: all of the graph)")
    parser.add_argument("--max-restart-backoff", type=float, default=30.0, metavar="SECONDS",
                        help="longest wait before a crashed process is restarted (the wait doubles from 0.5 s "
                             "while a process keeps crashing; default 30)")
    parser.add_argument("--graph", default=None, help=argparse.SUPPRESS)  # module:function (tests, custom cars)
    parser.set_defaults(func=run)


def _looks_like_car() -> bool:
    return Path("/sys/class/pwm").is_dir() and any(Path("/sys/class/pwm").iterdir())


def prepare_sim_environment(env: dict[str, str]) -> Path:
    """Point every root at the simulated car and build its kernel trees. Returns the sim folder."""
    state = Path(env.get("DEEPRACER_STATE_DIR") or default_sim_state_dir())
    env["DEEPRACER_STATE_DIR"] = str(state)
    sim = state / "sim"
    sysfs = sim / "sys"
    dev = sim / "dev"
    dev.mkdir(parents=True, exist_ok=True)
    os.environ["DEEPRACER_STATE_DIR"] = str(state)
    from sim.sysfs_tree import build_sim_sysfs

    build_sim_sysfs(sysfs)
    env["DEEPRACER_SYSFS_ROOT"] = str(sysfs)
    env["DEEPRACER_DEV_ROOT"] = str(dev)
    env["DEEPRACER_HARDWARE"] = "sim"
    # software updates of the simulated car install into its own tree, never into /opt/deepracer
    if "DEEPRACER_PREFIX" not in env:
        env["DEEPRACER_PREFIX"] = str(sim / "prefix")
        (sim / "prefix").mkdir(exist_ok=True)  # the simulated car is "installed": updates can be tried
    # the simulated car's graph stays on this machine, never mixing with another laptop's on the LAN
    env.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    # The simulated car's NetworkManager: the console's Wi-Fi page and the USB provisioner talk to a
    # simulated nmcli/iwgetid first on PATH, never to the laptop's real Wi-Fi.
    from sim.network_manager import SimNetworkManager, sim_car_state

    network = SimNetworkManager(sim / "network", state=sim_car_state(), keep_state=True)
    network.save()
    for key, value in network.env().items():
        env[key] = value
    return sim


def seed_sample_models(artifacts: Path) -> None:
    """A new car gets the shipped sample models (once: a sample the owner deleted stays deleted)."""
    from inference.samples import seed_samples

    try:
        report = seed_samples(artifacts)
    except OSError as exc:
        print(f"warning: the sample models could not be installed in {artifacts}: {exc}", flush=True)
        return
    for name in report.installed:
        print(f"Sample model installed: {name}", flush=True)
    for name, reason in report.failed:
        print(f"warning: sample model {name} not installed: {reason}", flush=True)


def run(args: argparse.Namespace) -> int:
    # A stop request that arrives while we are still setting up is honoured once the graph is up.
    done = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        done.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)

    from launcher.graph import graph_for, load_graph
    from launcher.supervisor import Supervisor

    sim = args.sim or (not args.hardware and not _looks_like_car())
    env = dict(os.environ)
    import runtime

    env.setdefault("FASTDDS_DEFAULT_PROFILES_FILE", str(Path(runtime.__file__).parent / "dds" / "fastdds_profile.xml"))
    if sim:
        sim_dir = prepare_sim_environment(env)
        os.environ.update({k: env[k] for k in ("DEEPRACER_STATE_DIR", "DEEPRACER_SYSFS_ROOT",
                                                "DEEPRACER_DEV_ROOT", "DEEPRACER_HARDWARE")})
        port = args.port or 8080
        https_port = args.https_port or 8443
    else:
        env["DEEPRACER_HARDWARE"] = "real"
        sim_dir = None
        port = args.port or 80
        https_port = args.https_port or 443
    state = Path(env.get("DEEPRACER_STATE_DIR", "/opt/aws/deepracer"))
    if args.graph:
        graph = load_graph(args.graph, sim=sim)
    else:
        graph = graph_for(sim=sim, console_port=port, https_port=https_port, sim_dir=sim_dir, track=args.track,
                          sim_fps=args.fps, sim_obstacles=args.obstacles, sim_stereo=args.stereo)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",") if name.strip()}
        unknown = wanted - set(graph.names())
        if unknown:
            print(f"unknown process name(s): {', '.join(sorted(unknown))}; the graph has {', '.join(graph.names())}")
            return 2
        graph = type(graph)(processes=tuple(p for p in graph.processes if p.name in wanted), sim=graph.sim,
                            source=graph.source)

    seed_sample_models(state / "artifacts")
    (state / "logs").mkdir(parents=True, exist_ok=True)   # the drive recordings, as on an installed car
    if not args.max_restart_backoff >= 0.5:
        print("--max-restart-backoff must be at least 0.5 s")
        return 2
    from runtime.ros_shell import write_ros_env

    try:  # for /opt/aws/deepracer/lib/setup.bash: shells of fleet managers join this graph
        write_ros_env(state / "run", env)
    except OSError as exc:
        print(f"warning: cannot write {state / 'run'}/ros_env.sh: {exc}", flush=True)
    logs = process_logs_dir(state)
    supervisor = Supervisor(graph, logs_dir=logs, run_dir=state / "run", env=env,
                            max_backoff=args.max_restart_backoff)
    print(f"DeepRacer stack starting ({'simulated car' if sim else 'car hardware'}); state in {state}", flush=True)
    supervisor.start()
    if "console" in graph.names():
        host = "127.0.0.1" if sim else "<car-ip>"
        print(f"Device console: http://{host}:{port}  (https://{host}:{https_port})", flush=True)
        if sim:
            print("Console password: deepracer (until you change it in Settings)", flush=True)
    print("Logs: " + str(logs) + "   Stop: Ctrl-C", flush=True)
    while not done.is_set():
        supervisor.poll()
        done.wait(0.2)
    print("Stopping (actuators last, set neutral)...", flush=True)
    supervisor.stop()
    print("Stopped.", flush=True)
    return 0
