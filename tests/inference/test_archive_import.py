"""Model archives as users have them install into <artifacts>/<name> with model.pb, metadata and checksum.txt."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from inference.errors import ModelImportError
from inference.models import import_model, list_models, model_name_for
from tests.inference.helpers import build_model, model_archive, tree, write_tar


@pytest.fixture(scope="module")
def model():
    return build_model(seed=4, sensors=("FRONT_FACING_CAMERA",), num_actions=5)


def _check_installed(folder: Path, model, graph_name: str = "model.pb") -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted([graph_name, "model_metadata.json", "checksum.txt"])
    assert (folder / graph_name).read_bytes() == model.graph
    assert (folder / "checksum.txt").read_text() == hashlib.md5(model.graph).hexdigest() + "\n"
    assert json.loads((folder / "model_metadata.json").read_text()) == model.metadata


def test_training_console_archive_agent_model_pb(tmp_path: Path, artifacts: Path, model) -> None:
    before_other = tree(artifacts / "Other_model")
    archive = model_archive(tmp_path / "My Model-v2.tar.gz", model)
    result = import_model(archive, artifacts)
    assert result.name == "My_Model-v2"
    assert result.path == artifacts / "My_Model-v2"
    assert result.checksum == model.md5 and not result.replaced and not result.unchanged
    assert result.metadata.sensors == ("FRONT_FACING_CAMERA",)
    _check_installed(result.path, model)
    assert tree(artifacts / "Other_model") == before_other
    assert sorted(p.name for p in artifacts.iterdir() if not p.name.startswith(".")) == ["My_Model-v2", "Other_model"]
    assert not [p for p in artifacts.iterdir() if p.name.startswith((".import-", ".old-"))]


def test_root_model_pb_plain_tar_and_explicit_name(tmp_path: Path, artifacts: Path, model) -> None:
    archive = model_archive(tmp_path / "x.tar", model, graph_member="./model.pb", gz=False)
    result = import_model(archive, artifacts, name="renamed")
    _check_installed(artifacts / "renamed", model)
    assert result.name == "renamed"


def test_drem_archive_with_preoptimised_ir_and_checkpoints(tmp_path: Path, artifacts: Path, model) -> None:
    extra = [("agent/model.xml", b'<net name="model" version="10"/>'), ("agent/model.bin", b"\0" * 100),
             ("agent/model.mapping", b"<mapping/>"), ("model/.coach_checkpoint", b"13_Step-25173.ckpt"),
             ("model/13_Step-25173.ckpt.index", b"idx"), ("reward_function.py", b"def reward_function(p): return 1.0"),
             ("._model_metadata.json", b"\0\5\26\7 mac resource fork"), ("__MACOSX/agent/._model.pb", b"fork")]
    result = import_model(model_archive(tmp_path / "drem.tar.gz", model, extra=extra), artifacts)
    _check_installed(result.path, model)  # only the graph, the metadata and checksum.txt are installed


def test_bare_graph_with_metadata_beside_it_or_given(tmp_path: Path, artifacts: Path, model) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "fast.pb").write_bytes(model.graph)
    (src / "model_metadata.json").write_bytes(model.metadata_bytes)
    result = import_model(src / "fast.pb", artifacts)
    assert result.name == "fast"
    _check_installed(result.path, model)

    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "graph.pb").write_bytes(model.graph)
    result = import_model(other / "graph.pb", artifacts, "given", metadata_path=src / "model_metadata.json")
    _check_installed(result.path, model)


def test_gzipped_graph_and_model_folder(tmp_path: Path, artifacts: Path, model) -> None:
    src = tmp_path / "src"
    (src / "agent").mkdir(parents=True)
    (src / "model.pb.gz").write_bytes(gzip.compress(model.graph))
    (src / "model_metadata.json").write_bytes(model.metadata_bytes)
    _check_installed(import_model(src / "model.pb.gz", artifacts, "gz").path, model)

    folder = tmp_path / "folder_model"
    (folder / "agent").mkdir(parents=True)
    (folder / "agent" / "model.pb").write_bytes(model.graph)
    (folder / "model_metadata.json").write_bytes(model.metadata_bytes)
    result = import_model(folder, artifacts)
    assert result.name == "folder_model"
    _check_installed(result.path, model)


def test_metadata_in_a_subfolder_is_accepted_when_unambiguous(tmp_path: Path, artifacts: Path, model) -> None:
    archive = write_tar(tmp_path / "nested.tar.gz", [("run1/agent/model.pb", model.graph),
                                                     ("run1/model_metadata.json", model.metadata_bytes)])
    _check_installed(import_model(archive, artifacts).path, model)


def test_listing_shows_the_imported_model(tmp_path: Path, artifacts: Path, model) -> None:
    import_model(model_archive(tmp_path / "listed.tar.gz", model), artifacts)
    (artifacts / "broken").mkdir()
    (artifacts / "broken" / "model.pb").write_bytes(model.graph)  # no metadata, no checksum
    infos = {m.name: m for m in list_models(artifacts)}
    assert infos["listed"].ready and infos["listed"].checksum == model.md5
    assert infos["listed"].metadata is not None
    assert infos["listed"].metadata.training_algorithm_display_name == "Clipped PPO"
    assert infos["Other_model"].ready
    assert not infos["broken"].ready  # listed with the reason, not hidden
    assert "model_metadata.json" in (infos["broken"].error or "")


def test_name_rules(tmp_path: Path, artifacts: Path, model) -> None:
    assert model_name_for("a b.c.tar.gz") == "a_b"
    assert model_name_for("/x/y/Model-1.tar.gz") == "Model-1"
    archive = model_archive(tmp_path / "ok.tar.gz", model)
    for bad in ("../escape", ".hidden", "a/b", "", "x\x00y"):
        with pytest.raises(ModelImportError):
            import_model(archive, artifacts, bad)
    assert not (tmp_path / "escape").exists()
