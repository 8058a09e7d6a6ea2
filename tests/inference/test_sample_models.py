"""Sample models on a new car (issue 11 §5): the shipped samples are installed once as `Sample_...`,
listed as samples (library, CLI, console), survive a USB import, stay deleted once deleted (across
restarts) and come back with `deepracer models restore-samples`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli.deepracer import build_parser
from device_console.main import create_app
from inference.models import get_model, import_model, list_models
from inference.samples import SAMPLES_DIR, restore_samples, sample_names, seed_samples, shipped_samples
from tests.console.conftest import ConsoleClient, make_settings
from tests.console.fake_car import FakeCar
from tests.inference.helpers import build_model, model_archive
from usb_wifi_provisioner.models_import import import_models_folder

SAMPLE = "Sample_sim_loop_model"
OTHER = build_model(seed=21, sensors=("FRONT_FACING_CAMERA",), num_actions=3, middleware_units=4)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    args = build_parser().parse_args(list(argv))
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_repository_ships_the_loop_sample() -> None:
    assert [(s.name, s.archive.name) for s in shipped_samples()] == [(SAMPLE, "sim_loop_model.tar.gz")]
    assert (SAMPLES_DIR / "sim_loop_model.tar.gz").is_file()


def test_seeded_once_deleted_stays_deleted_restored_on_demand(tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    report = seed_samples(artifacts)
    assert report.installed == [SAMPLE] and report.failed == []
    info = get_model(artifacts, SAMPLE)
    assert info.ready and info.metadata is not None and info.metadata.sensors == ("FRONT_FACING_CAMERA",)
    assert sample_names(artifacts) == {SAMPLE}
    # the next start changes nothing
    again = seed_samples(artifacts)
    assert again.installed == [] and again.skipped == [SAMPLE]
    # the owner deletes it: later starts do not bring it back
    shutil.rmtree(artifacts / SAMPLE)
    assert seed_samples(artifacts).installed == []
    assert not (artifacts / SAMPLE).exists() and sample_names(artifacts) == set()
    # ...until asked
    assert restore_samples(artifacts).installed == [SAMPLE]
    assert get_model(artifacts, SAMPLE).ready and sample_names(artifacts) == {SAMPLE}


def test_a_model_uploaded_under_a_sample_name_is_not_a_sample(tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    import_model(model_archive(tmp_path / f"{SAMPLE}.tar.gz", OTHER), artifacts)
    seed_samples(artifacts)  # never replaces the owner's model
    assert (artifacts / SAMPLE / "model.pb").read_bytes() == OTHER.graph
    assert sample_names(artifacts) == set()
    seeded = seed_samples(artifacts)
    assert seeded.installed == []
    # replacing a seeded sample with an upload of the same name makes it the owner's model
    other = tmp_path / "other"
    seed_samples(other)
    assert sample_names(other) == {SAMPLE}
    (tmp_path / "x").mkdir()
    import_model(model_archive(tmp_path / "x" / f"{SAMPLE}.tar.gz", OTHER), other)
    assert sample_names(other) == set()


def test_a_usb_import_keeps_the_samples(tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    seed_samples(artifacts)
    stick_models = tmp_path / "stick" / "models"
    stick_models.mkdir(parents=True)
    model_archive(stick_models / "Race Day.tar.gz", OTHER)
    outcomes = import_models_folder(stick_models, artifacts)
    assert [(o.file, o.status) for o in outcomes] == [("Race Day.tar.gz", "installed")]
    assert sorted(m.name for m in list_models(artifacts)) == ["Race_Day", SAMPLE]
    assert sample_names(artifacts) == {SAMPLE}


def test_cli_lists_samples_and_restores_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    artifacts = tmp_path / "artifacts"
    seed_samples(artifacts)
    import_model(model_archive(tmp_path / "Mine.tar.gz", OTHER), artifacts)
    code, out, _ = run(capsys, "models", "--artifacts-dir", str(artifacts), "list")
    assert code == 0
    sample_line = next(line for line in out.splitlines() if line.startswith(SAMPLE))
    mine_line = next(line for line in out.splitlines() if line.startswith("Mine"))
    assert sample_line.endswith("ready (sample)") and mine_line.endswith("ready")
    code, out, _ = run(capsys, "models", "--artifacts-dir", str(artifacts), "list", "--json")
    assert {row["name"]: row["sample"] for row in json.loads(out)} == {SAMPLE: True, "Mine": False}

    code, out, _ = run(capsys, "models", "--artifacts-dir", str(artifacts), "delete", SAMPLE)
    assert code == 0 and not (artifacts / SAMPLE).exists()
    assert seed_samples(artifacts).installed == []  # a restart
    code, out, _ = run(capsys, "models", "--artifacts-dir", str(artifacts), "restore-samples")
    assert code == 0 and f"Restored sample model '{SAMPLE}'" in out
    assert get_model(artifacts, SAMPLE).ready and (artifacts / "Mine").is_dir()


def test_console_lists_samples_and_deleting_one_is_remembered(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    seed_samples(settings.artifacts_dir)
    import_model(model_archive(tmp_path / "Mine.tar.gz", OTHER), settings.artifacts_dir)
    with TestClient(create_app(settings, FakeCar())) as http:
        client = ConsoleClient(http)
        assert client.login().json() == {"redirect": "/home"}
        rows = {row["name"]: row for row in client.get("/api/uploaded_model_list").json()}
        assert rows[SAMPLE]["is_sample"] is True and rows[SAMPLE]["status"] == "Ready"
        assert rows["Mine"]["is_sample"] is False
        assert SAMPLE in [m["model_folder_name"] for m in client.get("/api/models").json()["models"]]
        deleted = client.post("/api/deleteModels", json={"filenames": [SAMPLE]}).json()
        assert deleted["success"] is True
    assert seed_samples(settings.artifacts_dir).installed == []  # the next start
    assert not (settings.artifacts_dir / SAMPLE).exists()
