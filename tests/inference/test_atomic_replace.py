"""Replacing a model is atomic: the old one stays intact and loadable until the new one is complete."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import inference.models as models
from inference.engine import prepare_model
from inference.errors import ModelImportError
from inference.models import delete_model, import_model, list_models
from tests.inference.helpers import build_model, model_archive, tree, write_tar

OLD = build_model(seed=10, sensors=("FRONT_FACING_CAMERA",), num_actions=3, middleware_units=4)
NEW = build_model(seed=11, sensors=("FRONT_FACING_CAMERA",), num_actions=3, middleware_units=4)


def test_replace_keeps_the_old_model_until_the_new_one_is_complete(tmp_path: Path, artifacts: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import_model(model_archive(tmp_path / "a.tar.gz", OLD), artifacts, "racer")
    folder = artifacts / "racer"
    seen: list[str] = []
    original_write = models._write_file

    def observing_write(path: Path, data: bytes) -> None:
        # while the new model is being written, readers still find the complete old one
        seen.append((folder / "checksum.txt").read_text().strip())
        assert (folder / "model.pb").read_bytes() == OLD.graph
        original_write(path, data)

    monkeypatch.setattr(models, "_write_file", observing_write)
    result = import_model(model_archive(tmp_path / "b.tar.gz", NEW), artifacts, "racer")
    assert seen == [OLD.md5, OLD.md5]
    assert result.replaced and result.checksum == NEW.md5
    assert (folder / "model.pb").read_bytes() == NEW.graph
    assert (folder / "checksum.txt").read_text() == NEW.md5 + "\n"
    assert not [p.name for p in artifacts.iterdir() if p.name.startswith((".import-", ".old-"))]


def test_failed_replacement_leaves_the_old_model_byte_identical(tmp_path: Path, artifacts: Path) -> None:
    import_model(model_archive(tmp_path / "a.tar.gz", OLD), artifacts, "racer")
    before = tree(artifacts)
    broken = write_tar(tmp_path / "racer.tar.gz", [("agent/model.pb", NEW.graph)])  # no metadata
    with pytest.raises(ModelImportError):
        import_model(broken, artifacts, "racer")
    assert tree(artifacts) == before


def test_other_models_are_never_touched(tmp_path: Path, artifacts: Path) -> None:
    import_model(model_archive(tmp_path / "a.tar.gz", OLD), artifacts, "first")
    others = {name: tree(artifacts / name) for name in ("Other_model", "first")}
    import_model(model_archive(tmp_path / "b.tar.gz", NEW), artifacts, "second")
    delete_model(artifacts, "second")
    assert {name: tree(artifacts / name) for name in others} == others


def test_fallback_without_rename_exchange(tmp_path: Path, artifacts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import_model(model_archive(tmp_path / "a.tar.gz", OLD), artifacts, "racer")
    monkeypatch.setattr(models, "exchange_paths", lambda a, b: False)
    result = import_model(model_archive(tmp_path / "b.tar.gz", NEW), artifacts, "racer")
    assert result.replaced and (artifacts / "racer" / "model.pb").read_bytes() == NEW.graph
    assert sorted(p.name for p in artifacts.iterdir() if not p.name.startswith(".models")) == ["Other_model", "racer"]


def test_power_cut_during_the_swap_is_recovered(tmp_path: Path, artifacts: Path) -> None:
    import_model(model_archive(tmp_path / "a.tar.gz", OLD), artifacts, "racer")
    # state after a cut between the two renames of the fallback swap: old model moved aside, new not in place
    os.rename(artifacts / "racer", artifacts / ".old-racer.1a2b3c4d")
    (artifacts / ".import-999999999-deadbeef").mkdir()  # staging of a process that no longer exists
    import_model(model_archive(tmp_path / "c.tar.gz", NEW), artifacts, "unrelated")
    assert (artifacts / "racer" / "model.pb").read_bytes() == OLD.graph
    assert not (artifacts / ".import-999999999-deadbeef").exists()
    assert {m.name for m in list_models(artifacts)} == {"Other_model", "racer", "unrelated"}


def test_identical_reimport_changes_nothing_and_keeps_the_ir_cache(tmp_path: Path, artifacts: Path) -> None:
    import_model(model_archive(tmp_path / "a.tar.gz", OLD), artifacts, "racer")
    prepare_model(artifacts / "racer" / "model.pb")
    before = tree(artifacts / "racer")
    result = import_model(model_archive(tmp_path / "again.tar.gz", OLD), artifacts, "racer")
    assert result.unchanged and not result.replaced
    assert tree(artifacts / "racer") == before
    assert not prepare_model(artifacts / "racer" / "model.pb").rebuilt


def test_changed_metadata_alone_replaces(tmp_path: Path, artifacts: Path) -> None:
    import_model(model_archive(tmp_path / "a.tar.gz", OLD), artifacts, "racer")
    meta = OLD.metadata | {"action_space": [{"steering_angle": 0, "speed": 2.0}] * 3}
    archive = write_tar(tmp_path / "m.tar.gz", [("agent/model.pb", OLD.graph),
                                                ("model_metadata.json", json.dumps(meta).encode())])
    result = import_model(archive, artifacts, "racer")
    assert result.replaced and not result.unchanged
    assert json.loads((artifacts / "racer" / "model_metadata.json").read_text())["action_space"][0]["speed"] == 2.0


def test_delete(tmp_path: Path, artifacts: Path) -> None:
    import_model(model_archive(tmp_path / "a.tar.gz", OLD), artifacts, "racer")
    delete_model(artifacts, "racer")
    assert not (artifacts / "racer").exists()
    assert not [p for p in artifacts.iterdir() if p.name.startswith(".deleted-")]
    with pytest.raises(models.ModelNotFoundError, match="'racer' is not installed"):
        delete_model(artifacts, "racer")
    with pytest.raises(ModelImportError):
        delete_model(artifacts, "../artifacts")
    assert (artifacts / "Other_model").is_dir()


def test_new_metadata_for_the_same_graph_keeps_the_converted_ir(tmp_path: Path, artifacts: Path) -> None:
    import_model(model_archive(tmp_path / "a.tar.gz", OLD), artifacts, "racer")
    assert prepare_model(artifacts / "racer" / "model.pb").rebuilt
    meta = OLD.metadata | {"action_space": [{"steering_angle": 5, "speed": 1.5}] * 3}
    archive = write_tar(tmp_path / "m.tar.gz", [("agent/model.pb", OLD.graph),
                                                ("model_metadata.json", json.dumps(meta).encode())])
    assert import_model(archive, artifacts, "racer").replaced
    assert not prepare_model(artifacts / "racer" / "model.pb").rebuilt
    # a different graph never inherits the old IR
    import_model(model_archive(tmp_path / "b.tar.gz", NEW), artifacts, "racer")
    assert not (artifacts / "racer" / "model.xml").exists()
