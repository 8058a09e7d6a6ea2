"""console_model_action as the original service: upload a console-saved archive folder, delete, status strings."""

from __future__ import annotations

import shutil
from pathlib import Path

from inference.models import console_model_action, is_model_ready
from tests.inference.helpers import build_model, model_archive, tree, write_tar

MODEL = build_model(seed=13, sensors=("FRONT_FACING_CAMERA",), num_actions=3, middleware_units=4)


def test_console_upload_flow(tmp_path: Path, artifacts: Path) -> None:
    # the console saves <artifacts>/<file minus .tar.gz>/<file> and passes the folder
    folder = artifacts / "my.model-v1"
    folder.mkdir()
    model_archive(folder / "my.model-v1.tar.gz", MODEL)
    assert not is_model_ready(artifacts, "my.model-v1")
    assert console_model_action(artifacts, folder, 1) == "done-upload"
    assert sorted(p.name for p in folder.iterdir()) == ["checksum.txt", "model.pb", "model_metadata.json"]
    assert is_model_ready(artifacts, "my.model-v1")


def test_failed_upload_reports_the_reason_and_cleans_the_upload_folder(tmp_path: Path, artifacts: Path) -> None:
    folder = artifacts / "broken"
    folder.mkdir()
    write_tar(folder / "broken.tar.gz", [("agent/model.pb", MODEL.graph)])
    status = console_model_action(artifacts, folder, 1)
    assert status.startswith("failure-on-upload: ") and "model_metadata.json" in status
    assert not folder.exists()
    assert (artifacts / "Other_model").is_dir()


def test_archive_path_and_plain_model_folder(tmp_path: Path, artifacts: Path) -> None:
    assert console_model_action(artifacts, model_archive(tmp_path / "direct.tar.gz", MODEL), 1) == "done-upload"
    assert is_model_ready(artifacts, "direct")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "model.pb").write_bytes(MODEL.graph)
    (plain / "model_metadata.json").write_bytes(MODEL.metadata_bytes)
    assert console_model_action(artifacts, plain, 1) == "done-upload"
    assert is_model_ready(artifacts, "plain")


def test_delete_statuses(tmp_path: Path, artifacts: Path) -> None:
    console_model_action(artifacts, model_archive(tmp_path / "gone.tar.gz", MODEL), 1)
    assert console_model_action(artifacts, artifacts / "gone", 0) == "done-delete"
    assert not (artifacts / "gone").exists()
    assert console_model_action(artifacts, artifacts / "gone", 0) == "model-path-does-not-exist"
    outside = tmp_path / "elsewhere"
    shutil.copytree(artifacts / "Other_model", outside)
    before = tree(outside)
    assert console_model_action(artifacts, outside, 0).startswith("failure-on-delete: ")
    assert tree(outside) == before
