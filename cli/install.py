"""`deepracer install` / `deepracer uninstall`: put the stack on a car (Ubuntu 22.04/24.04, x86-64).

    sudo deepracer install   [--root DIR] [--prefix /opt/deepracer] [--skip-venv] [--no-start]
    sudo deepracer uninstall [--root DIR] [--prefix /opt/deepracer] [--keep-user]

Install (also the upgrade: run it again from a newer checkout):
- copies this checkout to `<prefix>/src` (the previous venv and ROS build are kept and reused);
- builds the venv with `scripts/bootstrap.sh` (`<prefix>/venv` points at it) unless --skip-venv or
  --root (an image being prepared: run the bootstrap on the car);
- writes `<prefix>/bin/deepracer` (the environment of env.sh, then the `deepracer` command) and links
  it as /usr/local/bin/deepracer;
- creates the service account `deepracer-svc` (systemd-sysusers; groups video, dialout) and gives it
  the state folder's group;
- installs `deepracer-core.service` and `deepracer-usb-provisioner.service` into /etc/systemd/system,
  enables them, and (on a running system) restarts what ran before;
- never touches the car's state in /opt/aws/deepracer (calibration, password, models, logs):
  created when missing, kept across upgrades and by uninstall;
- writes /opt/aws/deepracer/lib/setup.bash (fleet managers source it for `ros2`; a stock car's file
  is kept as setup.bash.orig and put back by uninstall; runtime/ros_shell.py);
- registers an empty dpkg package `aws-deepracer-core` 2.1.9.9+community.<version> (fleet managers read
  it to know the car records drives; a stock car's own package is kept; `cli/dpkg_entry.py`);
- installs the shipped sample models (`sample_models/`) into its `artifacts/` as `Sample_...` the
  first time (inference/samples.py: a sample the owner deleted is not installed again).

`--root DIR` works on a mounted image or a temporary folder (tests): every path is taken inside
DIR, units are enabled with `systemctl --root`, nothing is started.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PREFIX = Path("/opt/deepracer")
STATE_DIR = Path("/opt/aws/deepracer")
UNITS = ("deepracer-usb-provisioner.service", "deepracer-core.service")
SERVICE_USER = "deepracer-svc"
SYSUSERS_CONF = Path("/usr/lib/sysusers.d/deepracer-stack.conf")
CLI_LINK = Path("/usr/local/bin/deepracer")
MANIFEST = "install-manifest.json"
SUPPORTED_UBUNTU = ("22.04", "24.04")

# What is not copied from the checkout (the car builds its own venv and ROS workspace).
COPY_IGNORE_ANYWHERE = ("__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache", "*.egg-info")
COPY_IGNORE_TOP = (".git", ".venv", "build", "var", "test-artifacts", "ros2_ws/build", "ros2_ws/install",
                   "ros2_ws/log")
# Kept from the previous install on an upgrade (rebuilt by bootstrap only when inputs changed).
CARRIED_OVER = (".venv", "ros2_ws/build", "ros2_ws/install", "ros2_ws/log")

SYSUSERS_TEXT = f"""# DeepRacer open stack: service account (created by `deepracer install`)
u {SERVICE_USER} - "DeepRacer stack service account" {STATE_DIR} /usr/sbin/nologin
m {SERVICE_USER} video
m {SERVICE_USER} dialout
"""

WRAPPER_TEXT = """#!/bin/bash
# Installed by `deepracer install`: the stack's environment (venv, ROS interfaces), then `deepracer`.
# A release installed by `deepracer update` (<prefix>/current) wins over the checkout copy in src/.
set -e
if [ -f "{prefix}/current/env.sh" ]; then
  . "{prefix}/current/env.sh"
  exec "{prefix}/current/venv/bin/deepracer" "$@"
fi
. "{src}/env.sh"
exec "{src}/.venv/bin/deepracer" "$@"
"""


class InstallError(RuntimeError):
    pass


@dataclass
class Layout:
    """Paths as seen on the installed system (`prefix`) and where they are written (`root`)."""

    root: Path
    prefix: Path = DEFAULT_PREFIX
    notes: list[str] = field(default_factory=list)

    def at(self, path: Path | str) -> Path:
        """`path` (absolute, as on the car) inside the root being written."""
        return self.root / str(path).lstrip("/")

    @property
    def src(self) -> Path:
        return self.prefix / "src"

    @property
    def live(self) -> bool:
        return self.root.resolve() == Path("/")


def _run(argv: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise InstallError(f"{' '.join(argv)} failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()}")
    return proc


def render_unit(text: str, prefix: Path) -> str:
    """A unit file of systemd/ with its install prefix (the files name /opt/deepracer)."""
    return text.replace(str(DEFAULT_PREFIX), str(prefix).rstrip("/"))


def repo_root() -> Path:
    from cli.common import repo_root as root

    return root()


def check_platform(layout: Layout) -> None:
    machine = platform.machine()
    if machine not in ("x86_64", "AMD64"):
        raise InstallError(f"this stack installs on x86-64 cars; this machine is {machine}")
    os_release = layout.at("/etc/os-release")
    try:
        info = dict(line.split("=", 1) for line in os_release.read_text().splitlines() if "=" in line)
    except OSError:
        info = {}
    name, version = info.get("ID", "").strip('"'), info.get("VERSION_ID", "").strip('"')
    if layout.live and shutil.which("nmcli") is None:
        layout.notes.append("note: NetworkManager (nmcli) is not installed: Wi-Fi set-up from USB drives and the "
                            "console's Wi-Fi page need it (sudo apt-get install network-manager)")
    if name != "ubuntu" or version not in SUPPORTED_UBUNTU:
        layout.notes.append(f"note: tested on Ubuntu {' and '.join(SUPPORTED_UBUNTU)}; this is {name or '?'} "
                            f"{version or '?'}")


# -- steps ------------------------------------------------------------------------------------------

def copy_source(layout: Layout, source: Path) -> None:
    dest = layout.at(layout.src)
    staging = dest.with_name(dest.name + ".new")
    old = dest.with_name(dest.name + ".old")
    for leftover in (staging, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    dest.parent.mkdir(parents=True, exist_ok=True)
    anywhere = shutil.ignore_patterns(*COPY_IGNORE_ANYWHERE)

    def ignore(folder: str, names: list[str]) -> set[str]:
        rel = Path(folder).resolve().relative_to(source.resolve())
        skipped = set(anywhere(folder, names))
        skipped.update(n for n in names if (rel / n).as_posix() in COPY_IGNORE_TOP)
        return skipped

    shutil.copytree(source, staging, ignore=ignore, symlinks=True)
    if dest.exists():
        for rel in CARRIED_OVER:
            previous = dest / rel
            if previous.exists():
                (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                if (staging / rel).exists():
                    shutil.rmtree(staging / rel)
                os.rename(previous, staging / rel)
        os.rename(dest, old)
    os.rename(staging, dest)
    if old.exists():
        shutil.rmtree(old)
    venv_link = layout.at(layout.prefix / "venv")
    if venv_link.is_symlink() or venv_link.exists():
        venv_link.unlink()
    venv_link.symlink_to(layout.src / ".venv")


def build_venv(layout: Layout) -> None:
    script = layout.at(layout.src / "scripts" / "bootstrap.sh")
    print(f"building the venv and the ROS interfaces ({script}); this takes a while the first time", flush=True)
    proc = subprocess.run(["bash", str(script), "--runtime"], cwd=layout.at(layout.src), check=False)
    if proc.returncode != 0:
        raise InstallError(f"{script} failed ({proc.returncode})")


def write_wrapper(layout: Layout) -> None:
    wrapper = layout.at(layout.prefix / "bin" / "deepracer")
    wrapper.parent.mkdir(parents=True, exist_ok=True)
    wrapper.write_text(WRAPPER_TEXT.format(src=layout.src, prefix=layout.prefix))
    wrapper.chmod(0o755)
    link = layout.at(CLI_LINK)
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(layout.prefix / "bin" / "deepracer")


def create_service_user(layout: Layout) -> None:
    conf = layout.at(SYSUSERS_CONF)
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(SYSUSERS_TEXT)
    tool = shutil.which("systemd-sysusers")
    if tool is None:
        raise InstallError("systemd-sysusers not found (package systemd)")
    argv = [tool] if layout.live else [tool, f"--root={layout.root}"]
    _run([*argv, str(conf)])


def _group_id(layout: Layout, name: str) -> int | None:
    try:
        for line in layout.at("/etc/group").read_text().splitlines():
            parts = line.split(":")
            if parts[0] == name and len(parts) > 2:
                return int(parts[2])
    except (OSError, ValueError):
        return None
    return None


def prepare_state(layout: Layout) -> None:
    """Create what is missing in /opt/aws/deepracer; never replace or delete anything there."""
    state = layout.at(STATE_DIR)
    for sub in ("", "artifacts", "logs"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    gid = _group_id(layout, SERVICE_USER)
    if gid is not None and os.geteuid() == 0:
        for sub in ("", "artifacts", "logs"):
            path = state / sub
            os.chown(path, -1, gid)
            os.chmod(path, 0o2775)


def install_ros_setup(layout: Layout) -> None:
    """/opt/aws/deepracer/lib/setup.bash: what fleet managers source to get `ros2` (runtime/ros_shell.py)."""
    from runtime.ros_shell import write_setup_bash

    write_setup_bash(layout.at(STATE_DIR / "lib" / "setup.bash"), layout.src, STATE_DIR)


def _stack_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("deepracer-open-stack")
    except metadata.PackageNotFoundError:
        return "unknown"


def register_dpkg_entry(layout: Layout) -> None:
    from cli.dpkg_entry import DpkgError, register_entry

    try:
        print(register_entry(_stack_version(), None if layout.live else layout.root), flush=True)
    except DpkgError as exc:  # the stack runs without it; only a fleet manager's log fetch misses it
        layout.notes.append(f"no aws-deepracer-core entry for fleet managers: {exc}")


def install_samples(layout: Layout) -> None:
    from inference.samples import seed_samples

    report = seed_samples(layout.at(STATE_DIR) / "artifacts", layout.at(layout.src) / "sample_models")
    for name in report.installed:
        print(f"sample model installed: {name}", flush=True)
    for name, reason in report.failed:
        layout.notes.append(f"note: sample model {name} not installed: {reason}")


def install_units(layout: Layout, units_dir: Path) -> list[Path]:
    target_dir = layout.at("/etc/systemd/system")
    target_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in UNITS:
        text = render_unit((units_dir / name).read_text(), layout.prefix)
        target = target_dir / name
        target.write_text(text)
        target.chmod(0o644)
        written.append(target)
    return written


def _systemctl(layout: Layout, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    argv = ["systemctl"] if layout.live else ["systemctl", f"--root={layout.root}"]
    return _run([*argv, *args], check=check)


def enable_units(layout: Layout, start: bool) -> None:
    if layout.live:
        _systemctl(layout, "daemon-reload")
    _systemctl(layout, "enable", *UNITS)
    if layout.live and start:
        # restart what already ran (an upgrade), start the rest
        _systemctl(layout, "restart", *UNITS)


def write_manifest(layout: Layout, user_created: bool) -> None:
    manifest = {
        "installed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "prefix": str(layout.prefix),
        "units": list(UNITS),
        "files": [str(CLI_LINK), str(SYSUSERS_CONF)] + [f"/etc/systemd/system/{u}" for u in UNITS],
        "service_user": SERVICE_USER,
        "service_user_created": user_created,
    }
    try:
        from importlib import metadata

        manifest["version"] = metadata.version("deepracer-open-stack")
    except Exception:
        manifest["version"] = "unknown"
    layout.at(layout.prefix / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def _user_exists(layout: Layout, name: str) -> bool:
    try:
        return any(line.split(":", 1)[0] == name for line in layout.at("/etc/passwd").read_text().splitlines())
    except OSError:
        return False


def install(layout: Layout, source: Path, build: bool = True, start: bool = True) -> None:
    check_platform(layout)
    if not (source / "systemd" / UNITS[0]).is_file():
        raise InstallError(f"{source} is not a checkout of the stack (no systemd/{UNITS[0]})")
    try:
        previous = json.loads(layout.at(layout.prefix / MANIFEST).read_text())
    except (OSError, ValueError):
        previous = {}
    # an upgrade keeps the first install's answer: the account is ours to remove if we created it then
    user_created = bool(previous.get("service_user_created", not _user_exists(layout, SERVICE_USER)))
    print(f"installing {source} into {layout.at(layout.prefix)}", flush=True)
    copy_source(layout, source)
    if build and layout.live:
        build_venv(layout)
    elif build:
        layout.notes.append(f"venv not built inside {layout.root}: run `sudo {layout.src}/scripts/bootstrap.sh` "
                            "on the car")
    write_wrapper(layout)
    create_service_user(layout)
    prepare_state(layout)
    install_ros_setup(layout)
    register_dpkg_entry(layout)
    install_samples(layout)
    install_units(layout, layout.at(layout.src / "systemd"))
    enable_units(layout, start)
    write_manifest(layout, user_created=user_created)


def uninstall(layout: Layout, keep_user: bool = False) -> None:
    manifest_path = layout.at(layout.prefix / MANIFEST)
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        manifest = {}
    for unit in UNITS:
        if layout.at(f"/etc/systemd/system/{unit}").exists():
            if layout.live:
                _systemctl(layout, "disable", "--now", unit, check=False)
            else:
                _systemctl(layout, "disable", unit, check=False)
            layout.at(f"/etc/systemd/system/{unit}").unlink()
    if layout.live:
        _systemctl(layout, "daemon-reload", check=False)
    link = layout.at(CLI_LINK)
    if link.is_symlink() and str(os.readlink(link)).startswith(str(layout.prefix)):
        link.unlink()
    conf = layout.at(SYSUSERS_CONF)
    if conf.exists():
        conf.unlink()
    from runtime.ros_shell import remove_setup_bash

    remove_setup_bash(layout.at(STATE_DIR / "lib" / "setup.bash"))
    from cli.dpkg_entry import DpkgError, unregister_entry

    try:
        print(unregister_entry(None if layout.live else layout.root), flush=True)
    except DpkgError as exc:
        layout.notes.append(str(exc))
    if not keep_user and manifest.get("service_user_created", True) and _user_exists(layout, SERVICE_USER):
        argv = ["userdel"] if layout.live else ["userdel", "--root", str(layout.root)]
        proc = _run([*argv, SERVICE_USER], check=False)
        if proc.returncode != 0:
            layout.notes.append(f"could not remove the user {SERVICE_USER}: {proc.stderr.strip()}")
        elif _group_id(layout, SERVICE_USER) is not None:
            argv = ["groupdel"] if layout.live else ["groupdel", "--root", str(layout.root)]
            _run([*argv, SERVICE_USER], check=False)
    prefix = layout.at(layout.prefix)
    if prefix.exists():
        shutil.rmtree(prefix)


# -- command line -----------------------------------------------------------------------------------

def register(sub: argparse._SubParsersAction) -> None:
    inst = sub.add_parser("install", help="install the stack and its systemd units on this car (root)")
    inst.add_argument("--root", type=Path, default=Path("/"), help="install into this folder (an image, tests)")
    inst.add_argument("--prefix", type=Path, default=DEFAULT_PREFIX, help="where the software goes")
    inst.add_argument("--source", type=Path, default=None, help="checkout to install (default: this one)")
    inst.add_argument("--skip-venv", action="store_true", help="do not build the venv (scripts/bootstrap.sh)")
    inst.add_argument("--no-start", action="store_true", help="enable the units but do not (re)start them")
    inst.set_defaults(func=run_install)
    uninst = sub.add_parser("uninstall", help="remove the stack and its units; the car's state is kept")
    uninst.add_argument("--root", type=Path, default=Path("/"))
    uninst.add_argument("--prefix", type=Path, default=DEFAULT_PREFIX)
    uninst.add_argument("--keep-user", action="store_true", help=f"keep the {SERVICE_USER} account")
    uninst.set_defaults(func=run_uninstall)


def _check_root(layout: Layout, verb: str) -> str | None:
    if layout.live and os.geteuid() != 0:
        return f"run it as root: sudo deepracer {verb}"
    if not layout.root.is_dir():
        return f"{layout.root} is not a folder"
    if not layout.prefix.is_absolute():
        return f"--prefix must be an absolute path, not {layout.prefix}"
    return None


def run_install(args: argparse.Namespace) -> int:
    layout = Layout(root=args.root, prefix=args.prefix)
    problem = _check_root(layout, "install")
    if problem:
        print(problem)
        return 2
    try:
        install(layout, (args.source or repo_root()).resolve(), build=not args.skip_venv, start=not args.no_start)
    except (InstallError, OSError) as exc:
        print(f"install failed: {exc}")
        return 1
    for note in layout.notes:
        print(note)
    print(f"installed: {', '.join(UNITS)} enabled; the car's state stays in {STATE_DIR}")
    return 0


def run_uninstall(args: argparse.Namespace) -> int:
    layout = Layout(root=args.root, prefix=args.prefix)
    problem = _check_root(layout, "uninstall")
    if problem:
        print(problem)
        return 2
    try:
        uninstall(layout, keep_user=args.keep_user)
    except (InstallError, OSError) as exc:
        print(f"uninstall failed: {exc}")
        return 1
    for note in layout.notes:
        print(note)
    print(f"uninstalled; the car's state is kept in {STATE_DIR}")
    return 0
