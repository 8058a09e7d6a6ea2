"""The compiled-IR cache next to the model: reused when valid, rebuilt when stale or foreign, never trusted blindly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from inference.engine import InferenceEngine, cache_status, ir_version, prepare_model
from inference.errors import LoadErrorCode, ModelLoadError
from tests.inference.helpers import build_model

IMAGE = np.random.default_rng(0).integers(0, 256, (1, 120, 160, 1)).astype(np.float32)


@pytest.fixture
def model_dir(tmp_path: Path):
    model = build_model(seed=2, sensors=("FRONT_FACING_CAMERA",), num_actions=5)
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "model.pb").write_bytes(model.graph)
    return folder, model


def _infer(path: Path) -> np.ndarray:
    return InferenceEngine.load(path).infer({"FRONT_FACING_CAMERA": IMAGE})


def test_first_load_converts_and_second_load_reuses(model_dir) -> None:
    folder, model = model_dir
    assert cache_status(folder / "model.pb") == "missing"
    first = prepare_model(folder / "model.pb")
    assert first.rebuilt and first.xml == folder / "model.xml"
    assert (folder / "model.bin").is_file() and (folder / "model.ir.json").is_file()
    stamp = json.loads((folder / "model.ir.json").read_text())
    assert stamp["source_md5"] == model.md5
    import openvino

    assert stamp["openvino"] == openvino.get_version()
    assert ir_version(folder / "model.xml") == 11
    mtime = (folder / "model.xml").stat().st_mtime_ns
    second = prepare_model(folder / "model.xml")  # the optimizer's artifact path works too
    assert not second.rebuilt
    assert (folder / "model.xml").stat().st_mtime_ns == mtime
    assert cache_status(folder / "model.pb") == "valid"
    np.testing.assert_allclose(_infer(folder / "model.xml"), model.reference({"FRONT_FACING_CAMERA": IMAGE[0]}),
                               rtol=1e-4, atol=1e-5)


def test_ir_from_another_openvino_version_is_rebuilt(model_dir) -> None:
    folder, _ = model_dir
    prepare_model(folder / "model.pb")
    stamp_path = folder / "model.ir.json"
    stamp = json.loads(stamp_path.read_text())
    stamp["openvino"] = "2021.1.110"
    stamp_path.write_text(json.dumps(stamp))
    assert "OpenVINO 2021.1.110" in cache_status(folder / "model.pb")
    assert prepare_model(folder / "model.pb").rebuilt
    assert cache_status(folder / "model.pb") == "valid"


def test_foreign_ir_v10_shipped_with_the_model_is_rebuilt_not_trusted(model_dir) -> None:
    folder, model = model_dir
    # what DREM ships: an OpenVINO 2021 IR v10 (here deliberately wrong weights) and no stamp
    (folder / "model.xml").write_text('<?xml version="1.0"?>\n<net name="model" version="10" batch="1">'
                                      "<layers/><edges/></net>\n")
    (folder / "model.bin").write_bytes(b"\x00" * 64)
    assert cache_status(folder / "model.pb") == "foreign IR (no stamp)"
    prepared = prepare_model(folder / "model.xml")
    assert prepared.rebuilt
    assert ir_version(folder / "model.xml") == 11
    np.testing.assert_allclose(_infer(folder / "model.xml"), model.reference({"FRONT_FACING_CAMERA": IMAGE[0]}),
                               rtol=1e-4, atol=1e-5)


def test_changed_graph_is_rebuilt(model_dir) -> None:
    folder, _ = model_dir
    prepare_model(folder / "model.pb")
    newer = build_model(seed=99, sensors=("FRONT_FACING_CAMERA",), num_actions=5)
    (folder / "model.pb").write_bytes(newer.graph)
    assert cache_status(folder / "model.pb") == "the graph changed"
    assert prepare_model(folder / "model.pb").rebuilt
    np.testing.assert_allclose(_infer(folder / "model.pb"), newer.reference({"FRONT_FACING_CAMERA": IMAGE[0]}),
                               rtol=1e-4, atol=1e-5)


def test_tampered_ir_files_are_rebuilt(model_dir) -> None:
    folder, _ = model_dir
    prepare_model(folder / "model.pb")
    with open(folder / "model.xml", "a") as handle:
        handle.write("<!-- edited -->\n")
    assert cache_status(folder / "model.pb") == "IR files do not match the stamp"
    assert prepare_model(folder / "model.pb").rebuilt
    (folder / "model.bin").unlink()
    assert prepare_model(folder / "model.pb").rebuilt


def test_inference_precision_is_pinned_to_f32(model_dir) -> None:
    folder, _ = model_dir
    assert InferenceEngine.load(folder / "model.pb").precision == "f32"


def test_bare_old_ir_without_its_graph_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model.xml").write_text('<?xml version="1.0"?>\n<net name="model" version="10"></net>\n')
    (tmp_path / "model.bin").write_bytes(b"")
    with pytest.raises(ModelLoadError) as info:
        prepare_model(tmp_path / "model.xml")
    assert info.value.code == LoadErrorCode.MODEL_INVALID
    assert "IR v10" in str(info.value) and "model.pb" in str(info.value)


def test_missing_model_and_broken_graph_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError) as info:
        prepare_model(tmp_path / "nothing" / "model.xml")
    assert info.value.code == LoadErrorCode.NOT_FOUND
    (tmp_path / "model.pb").write_bytes(b"this is not a graph")
    with pytest.raises(ModelLoadError) as info:
        prepare_model(tmp_path / "model.pb")
    assert info.value.code == LoadErrorCode.MODEL_INVALID
    assert "model.pb cannot be read as a TensorFlow frozen graph" in str(info.value)
    assert not (tmp_path / "model.ir.json").exists()

