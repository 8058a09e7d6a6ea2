"""Running the fleet manager's (DREM's) shell commands on the simulated car exactly as its SSM agent
runs them (drem_contract.md §1): the command list is written one entry per line to `_script.sh` and
run by `sh -c <script>` as root, with systemd's default PATH and no HOME, in a private mount
namespace where the car's paths are the simulated car's:

- /opt/aws/deepracer -> the stack's state folder (with lib/setup.bash written as `deepracer install`
  writes it, for this checkout);
- /sys/class/dmi/id -> the simulated car's DMI folder (the chassis serial);
- /usr/local/sbin (first on systemd's PATH) holds a `systemctl` that only records its arguments: the
  simulated car is not a systemd service, and the shared stack must keep running;
- /home and /root/.ros are empty scratch folders (DREM exports HOME=/home/deepracer or /root, and
  "clean car" empties /root/.ros/log).
The commands themselves are DREM's text, character for character (§2).
"""

from __future__ import annotations

import shlex
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MAX_PWM = 9999825


def hex_to_pwm(colour: str) -> dict[str, int]:
    """DREM's taillight_colors.py: round(c / 255 * MAX_PWM) per channel."""
    value = colour.lstrip("#")
    r, g, b = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return {"red_pwm": round(r / 255 * MAX_PWM), "green_pwm": round(g / 255 * MAX_PWM),
            "blue_pwm": round(b / 255 * MAX_PWM)}


# -- the commands (cars_function/index.py, upload and fetch step functions), verbatim -------------
def call_ros_service(ros_command: str) -> list[str]:
    return ["#!/bin/bash", 'export HOME="/home/deepracer"', "source $(find /opt/intel -name setupvars.sh)",
            "source /opt/aws/deepracer/lib/setup.bash", ros_command]


def set_taillight(colour: str) -> list[str]:
    c = hex_to_pwm(colour)
    ros_command = ("ros2 service call /servo_pkg/set_led_state"
                   ' deepracer_interfaces_pkg/srv/SetLedCtrlSrv "{red:'
                   f" {c['red_pwm']}, blue: {c['blue_pwm']}, green:"
                   f" {c['green_pwm']}}}\"")
    return call_ros_service(ros_command)


def emergency_stop() -> list[str]:
    return call_ros_service('ros2 service call /ctrl_pkg/enable_state deepracer_interfaces_pkg/srv/EnableStateSrv '
                            '"{is_active: false}"')


def restart_service() -> list[str]:
    return ["#!/bin/bash", 'export HOME="/home/deepracer"', "systemctl restart deepracer-core"]


def delete_all_models(with_system_logs: bool = False) -> list[str]:
    commands = ["rm -rf /opt/aws/deepracer/artifacts/*", "rm -rf /opt/aws/deepracer/logs/*"]
    if with_system_logs:
        commands.insert(0, "systemctl stop deepracer-core")
        commands.append("rm -rf /root/.ros/log/*")
        commands.append("systemctl start deepracer-core")
    return commands


def upload_model(url: str, username: str, model_key: str, legacy: bool = False) -> tuple[str, list[str]]:
    import re

    username = re.sub("[^0-9a-zA-Z-]+", "", username)
    filename = re.sub("[^0-9a-zA-Z-_.]+", "", model_key.split("/")[-1])
    foldername = "{}-{}".format(username, filename.split(".")[0])
    extract = "xvf" if model_key.endswith(".tar") else "zxvf"
    art = "/opt/aws/deepracer/artifacts"
    commands = [
        f"curl '{url}' -s --output /tmp/{filename}",
        f"rm -rf {art}/{foldername}/",
        f"mkdir -p {art}/{foldername}/",
        f"tar {extract} /tmp/{filename} -C {art}/{foldername}/",
        f"rm /tmp/{filename}",
    ]
    if legacy:
        commands.append(f"mv {art}/{foldername}/agent/model.* {art}/{foldername}/")
    else:
        commands += [f"mv {art}/{foldername}/agent/model.{ext} {art}/{foldername}/model.{ext}"
                     for ext in ("bin", "mapping", "pb", "xml")]
    commands.append(f"md5sum {art}/{foldername}/model.pb | awk '{{ print $1 }}' > {art}/{foldername}/checksum.txt")
    return foldername, commands


def fetch_logs(filename: str, later_than: str, racer_name: str, put_url: str) -> list[str]:
    return [
        "#!/bin/bash",
        "export HOME=/root",
        "source /opt/aws/deepracer/lib/setup.bash",
        "ros2 service call /logging_pkg/stop_logging std_srvs/srv/Trigger",
        'logs_folder=$(ros2 param get /logging_pkg/bag_log_node output_path --hide-type --no-daemon) || '
        '{ logs_folder="/opt/aws/deepracer/logs"; echo "Using default path - $logs_folder"; }',
        "echo Using folder $logs_folder",
        "# Find folders created after the given time point and add them to a tar file",
        "cd $logs_folder",
        f'find . -mindepth 1 -maxdepth 1 -type d -newermt "{later_than}" -name "{racer_name}*" '
        f"-exec tar -rvf /tmp/{filename}.tar {{}} +",
        f"[ -e /tmp/{filename}.tar ] || tar -cvf /tmp/{filename}.tar --files-from /dev/null",
        f"gzip /tmp/{filename}.tar",
        f"curl -X PUT -T /tmp/{filename}.tar.gz '{put_url}'",
        f"rm /tmp/{filename}.tar.gz",
    ]


SERIAL_READ_SCRIPT = """
v=$(tr -d '\\0' < /sys/class/dmi/id/chassis_serial 2>/dev/null | tr -d '[:space:]')
case "$v" in ""|"Defaultstring"|"ToBeFilledByO.E.M."|"0000000000000000"|"None") ;; *) echo "$v"; exit 0;; esac
v=$(tr -d '\\0' < /sys/firmware/devicetree/base/serial-number 2>/dev/null | tr -d '[:space:]')
case "$v" in ""|"0000000000000000") ;; *) echo "$v"; exit 0;; esac
v=$(awk '/^Serial/{print $3}' /proc/cpuinfo 2>/dev/null | tr -d '[:space:]')
case "$v" in ""|"0000000000000000") ;; *) echo "$v";; esac"""


# -- the car as DREM's SSM agent sees it -------------------------------------------------------
@dataclass
class Car:
    """A private view of the machine in which /opt/aws/deepracer is the simulated car's state."""

    root: Path
    state_dir: Path
    dmi_dir: Path
    runs: int = 0

    def __post_init__(self) -> None:
        self.opt = self.root / "opt"
        (self.opt / "aws").mkdir(parents=True, exist_ok=True)
        link = self.opt / "aws" / "deepracer"
        if not link.is_symlink():
            link.symlink_to(self.state_dir)
        for name in ("home", "root/.ros", "sbin", "scripts"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        shim = self.root / "sbin" / "systemctl"
        shim.write_text(f"#!/bin/sh\necho \"$*\" >> {shlex.quote(str(self.systemctl_log))}\n")
        shim.chmod(0o755)

    @property
    def systemctl_log(self) -> Path:
        return self.root / "systemctl.log"

    def run(self, commands: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """As amazon-ssm-agent: one entry per line in _script.sh, then `sh -c <script>`."""
        self.runs += 1
        folder = self.root / "scripts" / f"run{self.runs}"
        folder.mkdir()
        script = folder / "_script.sh"
        script.write_text("\n".join(commands) + "\n")
        script.chmod(0o700)
        mounts = " && ".join([
            f"mount --bind {shlex.quote(str(self.opt))} /opt",
            f"mount --bind {shlex.quote(str(self.root / 'home'))} /home",
            "mkdir -p /root/.ros",   # /root itself holds this machine's Python: only its .ros is replaced
            f"mount --bind {shlex.quote(str(self.root / 'root' / '.ros'))} /root/.ros",
            f"mount --bind {shlex.quote(str(self.root / 'sbin'))} /usr/local/sbin",
            "mount -t tmpfs none /sys/class", "mkdir -p /sys/class/dmi/id",
            f"mount --bind {shlex.quote(str(self.dmi_dir))} /sys/class/dmi/id",
        ])
        inner = f"{mounts} && cd / && exec env -i PATH={SYSTEMD_PATH} sh -c {shlex.quote(str(script))}"
        # the ROS domain of the stack reaches `ros2` only through setup.bash (run/ros_env.sh)
        return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", inner],
                              capture_output=True, text=True, timeout=timeout, env={"PATH": SYSTEMD_PATH})


# -- S3 as seen from the car: presigned GET of a model, presigned PUT of the logs ------------------
@dataclass
class FakeS3:
    objects: dict[str, bytes] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        store = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                body = store.objects.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def do_PUT(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                store.uploads[self.path.split("?")[0]] = self.rfile.read(length)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, key: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/{key}?X-Amz-Signature=abc&X-Amz-Expires=300"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

