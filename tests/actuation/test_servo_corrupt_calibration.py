"""servo_node with a corrupt calibration.json (issue 12): it drives on the safe defaults and says so,
and the first calibration saved keeps the corrupt file aside as calibration.json.corrupt-<time>."""

from __future__ import annotations

import json

import pytest
from deepracer_interfaces_pkg.srv import GetCalibrationSrv, SetCalibrationSrv

from calibration.files import DEFAULT_CALIBRATION, UNREADABLE_NOTICE
from tests.actuation.helpers import Graph, GraphPool, GraphSpec, SimCar, register_graph, wait_for_log

CORRUPT = '{"Calibration": {"Servo": {"max": 1700000, "mid": 14'


def corrupt_calibration(car: SimCar) -> None:
    (car.state / "calibration.json").write_text(CORRUPT)


GRAPH = register_graph("servo_corrupt_calibration", GraphSpec("servo_pkg.servo_node", [], "servo_node started",
                                                              prepare=corrupt_calibration))


@pytest.fixture(scope="module")
def graph(graph_pool: GraphPool) -> Graph:
    return graph_pool.get(GRAPH)


def test_defaults_in_use_and_the_corrupt_file_kept_aside_on_save(graph: Graph) -> None:
    ros, car = graph.ros, graph.car
    assert UNREADABLE_NOTICE in graph.proc.log_text()
    servo = ros.call(GetCalibrationSrv, "/servo_pkg/get_calibration", GetCalibrationSrv.Request(cal_type=0))
    assert (servo.max, servo.mid, servo.min, servo.polarity) == (
        DEFAULT_CALIBRATION.servo.max, DEFAULT_CALIBRATION.servo.mid, DEFAULT_CALIBRATION.servo.min, 1)
    assert (car.state / "calibration.json").read_text() == CORRUPT   # loading never overwrites the evidence

    request = SetCalibrationSrv.Request(cal_type=0, max=1_720_000, mid=1_480_000, min=1_310_000, polarity=1)
    assert ros.call(SetCalibrationSrv, "/servo_pkg/set_calibration", request).error == 0
    asides = list(car.state.glob("calibration.json.corrupt-*"))
    assert [a.read_text() for a in asides] == [CORRUPT]
    saved = json.loads((car.state / "calibration.json").read_text())["Calibration"]
    assert saved["Servo"] == {"max": 1_720_000, "mid": 1_480_000, "min": 1_310_000, "polarity": 1}
    assert saved["Motor"] == DEFAULT_CALIBRATION.motor.as_dict()
    wait_for_log(graph.proc, f"the unreadable calibration file was kept as {asides[0]}")
