"""The ROS environment of the running stack, for shells that want to talk to it (fleet managers).

`deepracer run` writes `<state>/run/ros_env.sh` (the ROS variables its processes run with: domain,
RMW, discovery range, static peers, DDS profile) before it starts the graph. `deepracer install`
writes `/opt/aws/deepracer/lib/setup.bash`, which the fleet manager (DREM) sources as root with
systemd's PATH and `HOME=/home/deepracer` or `/root`: it sources the stack's `env.sh` (venv with the
`ros2` command, interface packages) and then `ros_env.sh`, so `ros2` sees the running graph. It
never fails and never stops the sourcing script (no `set -e`; a missing piece is skipped).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path

from runtime.atomic import atomic_write_text

ROS_VARIABLES = ("ROS_DOMAIN_ID", "RMW_IMPLEMENTATION", "ROS_AUTOMATIC_DISCOVERY_RANGE", "ROS_STATIC_PEERS",
                 "ROS_LOCALHOST_ONLY", "FASTDDS_DEFAULT_PROFILES_FILE")
ROS_ENV_FILE = "ros_env.sh"
SETUP_BASH_MARKER = "# Written by `deepracer install`"


def ros_env_text(env: Mapping[str, str]) -> str:
    lines = ["# The ROS environment of the running stack (written by `deepracer run`; read by setup.bash)"]
    for name in ROS_VARIABLES:
        value = env.get(name)
        lines.append(f"export {name}={shlex.quote(value)}" if value else f"unset {name}")
    return "\n".join(lines) + "\n"


def write_ros_env(run_dir: Path, env: Mapping[str, str]) -> Path:
    path = run_dir / ROS_ENV_FILE
    atomic_write_text(path, ros_env_text(env))
    return path


def setup_bash_text(src: Path, state: Path) -> str:
    """`/opt/aws/deepracer/lib/setup.bash` for a stack installed in `src` with its state in `state`."""
    env_sh = shlex.quote(str(src / "env.sh"))
    ros_env = shlex.quote(str(state / "run" / ROS_ENV_FILE))
    return f"""{SETUP_BASH_MARKER}: the `ros2` command and the ROS environment of the running
# DeepRacer stack (deepracer-core), for shells run by fleet managers:  source {state}/lib/setup.bash
# Never fails: every step is skipped when its file is missing.
if [ -z "${{HOME:-}}" ] || [ ! -d "${{HOME}}" ] || [ ! -w "${{HOME}}" ]; then
  # the ROS client writes its logs under $ROS_HOME (default $HOME/.ros); keep it somewhere writable
  export ROS_HOME="${{ROS_HOME:-/tmp/deepracer-ros-home}}"
fi
if [ -f {env_sh} ]; then
  . {env_sh} || true
else
  echo "setup.bash: {src}/env.sh not found (is the DeepRacer stack installed?)" >&2
fi
if [ -f {ros_env} ]; then
  . {ros_env} || true
fi
true
"""


def write_setup_bash(target: Path, src: Path, state: Path) -> None:
    """Write setup.bash; a file there that is not ours (a stock car's) is kept as `setup.bash.orig`."""
    if target.exists() and not target.read_text(errors="replace").startswith(SETUP_BASH_MARKER):
        backup = target.with_name(target.name + ".orig")
        if not backup.exists():
            os.replace(target, backup)
    atomic_write_text(target, setup_bash_text(src, state), mode=0o644)


def remove_setup_bash(target: Path) -> None:
    """Remove our setup.bash and put back a stock one kept at install."""
    if target.exists() and target.read_text(errors="replace").startswith(SETUP_BASH_MARKER):
        target.unlink()
    backup = target.with_name(target.name + ".orig")
    if backup.exists() and not target.exists():
        os.replace(backup, target)
