"""ROS: deepracer_systems_pkg model services (verify_model_ready, console_model_action) on the model library."""

from __future__ import annotations

from pathlib import Path

import pytest
from deepracer_interfaces_pkg.srv import ConsoleModelActionSrv, VerifyModelReadySrv

from tests.inference.helpers import build_model, model_archive, write_tar

pytestmark = pytest.mark.ros

MODEL = build_model(seed=31, sensors=("FRONT_FACING_CAMERA",), num_actions=3, middleware_units=4)


def test_console_model_services(tmp_path: Path, start_node, ros_node) -> None:
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    start_node("deepracer_systems_pkg.model_loader_node", ros_args=["-p", f"artifacts_dir:={artifacts}"])

    def ready(name: str) -> bool:
        return ros_node.call(VerifyModelReadySrv, "/deepracer_systems_pkg/verify_model_ready",
                             VerifyModelReadySrv.Request(model_name=name), timeout=15).response_status

    def action(path: Path, code: int) -> str:
        return ros_node.call(ConsoleModelActionSrv, "/deepracer_systems_pkg/console_model_action",
                             ConsoleModelActionSrv.Request(model_path=str(path), action=code), timeout=15).status

    assert ready("Racer") is False
    upload = artifacts / "Racer"
    upload.mkdir()
    model_archive(upload / "Racer.tar.gz", MODEL)
    assert ready("Racer") is False  # an uploaded archive is not a model yet
    assert action(upload, 1) == "done-upload"
    assert ready("Racer") is True
    assert (upload / "checksum.txt").read_text() == MODEL.md5 + "\n"

    bad = artifacts / "Bad"
    bad.mkdir()
    write_tar(bad / "Bad.tar.gz", [("agent/model.pb", MODEL.graph), ("/etc/model_metadata.json", b"{}")])
    status = action(bad, 1)
    assert status.startswith("failure-on-upload: ") and "absolute path" in status
    assert ready("Bad") is False and ready("Racer") is True

    assert action(upload, 0) == "done-delete"
    assert ready("Racer") is False
    assert action(upload, 0) == "model-path-does-not-exist"
