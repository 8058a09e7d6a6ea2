"""battery_node: /i2c_pkg/battery_level through the simulated fuel gauge, and a board without one."""

from __future__ import annotations

from pathlib import Path

from deepracer_interfaces_pkg.srv import BatteryLevelSrv

from tests.actuation.helpers import SimCar, wait_for_log
from tests.support.ros import NodeProcess, RosTestNode, node_processes


def level(ros: RosTestNode) -> int:
    return ros.call(BatteryLevelSrv, "/i2c_pkg/battery_level").level


def test_level_follows_the_simulated_gauge(ros: RosTestNode, support_nodes: tuple[SimCar, NodeProcess]) -> None:
    car, _ = support_nodes
    sim = car.state / "sim"
    sim.mkdir(exist_ok=True)
    (sim / "fuel_gauge").unlink(missing_ok=True)
    assert level(ros) == 11                     # no file: full
    (sim / "fuel_gauge").write_text("205")      # 0xCD
    assert level(ros) == 6
    (sim / "fuel_gauge").write_text("100")
    assert level(ros) == -1                     # below 0x8C


def test_board_without_a_gauge_answers_minus_one_and_says_why_once(ros: RosTestNode, tmp_path: Path) -> None:
    car = SimCar(tmp_path)
    env = dict(car.env, DEEPRACER_HARDWARE="real", DEEPRACER_DEV_ROOT=str(tmp_path / "dev"))
    with node_processes(tmp_path) as start:
        proc = start("i2c_pkg.battery_node", env=env)
        wait_for_log(proc, "battery_node started", 30)
        assert level(ros) == -1
        assert level(ros) == -1
        log = proc.log_text()
        assert log.count("battery level not available on this board") == 1
        assert "/dev/i2c-7" in log and "ERROR" not in log
