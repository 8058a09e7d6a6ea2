"""/opt/aws/deepracer/lib/setup.bash, which fleet managers source for `ros2` (drem_contract.md §9.4):
written by `deepracer install` (a stock car's file kept and put back by uninstall), and sourcing it as
DREM does (root, systemd's PATH, HOME missing or /root) never fails, even without the stack."""

from __future__ import annotations

import subprocess
from pathlib import Path

from runtime.ros_shell import SETUP_BASH_MARKER, ros_env_text, setup_bash_text
from tests.systemd.test_install_uninstall import deepracer_here

SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def test_install_writes_it_and_uninstall_restores_the_stock_one(tmp_path: Path, capsys) -> None:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/os-release").write_text('ID=ubuntu\nVERSION_ID="22.04"\n')
    stock = root / "opt/aws/deepracer/lib/setup.bash"
    stock.parent.mkdir(parents=True)
    stock.write_text("# stock colcon setup\n")
    result = deepracer_here(capsys, "install", "--root", str(root), "--skip-venv", "--no-start")
    assert result.returncode == 0, result.stdout
    text = stock.read_text()
    assert text.startswith(SETUP_BASH_MARKER)
    assert '. /opt/deepracer/src/env.sh' in text and "/opt/aws/deepracer/run/ros_env.sh" in text
    assert (stock.parent / "setup.bash.orig").read_text() == "# stock colcon setup\n"
    # sourced by bash as DREM's scripts do: no stack inside this root, still exit 0 and a clear note
    for home in ("/home/deepracer", "/root"):
        run = subprocess.run(["bash", "-c", f'export HOME={home}; source {stock}; echo sourced'],
                             capture_output=True, text=True, env={"PATH": SYSTEMD_PATH}, timeout=30)
        assert run.returncode == 0 and run.stdout == "sourced\n"
        assert "env.sh not found" in run.stderr
    result = deepracer_here(capsys, "install", "--root", str(root), "--skip-venv", "--no-start")  # upgrade
    assert (stock.parent / "setup.bash.orig").read_text() == "# stock colcon setup\n"
    result = deepracer_here(capsys, "uninstall", "--root", str(root))
    assert result.returncode == 0, result.stdout
    assert stock.read_text() == "# stock colcon setup\n" and not (stock.parent / "setup.bash.orig").exists()


def test_it_joins_the_graph_of_the_running_stack(tmp_path: Path) -> None:
    """The ROS variables of `deepracer run` (run/ros_env.sh) win over a shell's own, and a missing HOME
    sends the ROS client's logs to a writable place."""
    src = Path(__file__).resolve().parents[2]
    state = tmp_path / "state"
    (state / "run").mkdir(parents=True)
    (state / "run" / "ros_env.sh").write_text(ros_env_text({"ROS_DOMAIN_ID": "42", "RMW_IMPLEMENTATION": "rmw_fastrtps_cpp",
                                                              "ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST"}))
    script = tmp_path / "setup.bash"
    script.write_text(setup_bash_text(src, state))
    run = subprocess.run(["bash", "-c", f'export ROS_DOMAIN_ID=7 ROS_STATIC_PEERS=x; source {script}; '
                                        'echo "$ROS_DOMAIN_ID|$ROS_AUTOMATIC_DISCOVERY_RANGE|${ROS_STATIC_PEERS:-none}|'
                                        '$ROS_HOME"; command -v ros2'],
                         capture_output=True, text=True, env={"PATH": SYSTEMD_PATH}, timeout=30)
    assert run.returncode == 0, run.stderr
    values, ros2 = run.stdout.splitlines()
    assert values == "42|LOCALHOST|none|/tmp/deepracer-ros-home"
    assert Path(ros2) == src / ".venv" / "bin" / "ros2"
