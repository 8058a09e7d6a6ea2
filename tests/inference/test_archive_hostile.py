"""Hostile and broken archives are refused with a clear reason, write nothing outside, and change nothing."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from inference.errors import MetadataError, ModelImportError
from inference.models import import_model
from tests.inference.helpers import build_model, model_archive, tar_member, tree, write_tar

MODEL = build_model(seed=5, sensors=("FRONT_FACING_CAMERA",), num_actions=3, middleware_units=4)


def _refused(archive: Path, artifacts: Path, *words: str, name: str = "victim", **kwargs) -> str:
    """Import must fail, leave the artifacts folder exactly as it was and leave no staging behind."""
    before = tree(artifacts)
    with pytest.raises(ModelImportError) as info:
        import_model(archive, artifacts, name, **kwargs)
    message = str(info.value)
    for word in words:
        assert word in message, message
    assert tree(artifacts) == before
    return message


@pytest.fixture
def installed(artifacts: Path, tmp_path: Path) -> Path:
    """A working model named 'victim' that every failed import must leave intact."""
    import_model(model_archive(tmp_path / "victim.tar.gz", MODEL), artifacts, "victim")
    return artifacts / "victim"


def test_path_traversal(tmp_path: Path, artifacts: Path, installed: Path) -> None:
    for i, member in enumerate(("../evil.pb", "agent/../../evil.pb", "..\\..\\evil.pb")):
        archive = write_tar(tmp_path / f"t{i}.tar.gz", [(member, MODEL.graph), ("model_metadata.json",
                                                                                 MODEL.metadata_bytes)])
        _refused(archive, artifacts, "points outside the model folder")
    assert not (tmp_path / "evil.pb").exists() and not (artifacts / "evil.pb").exists()
    assert not (artifacts.parent / "evil.pb").exists()


def test_absolute_paths(tmp_path: Path, artifacts: Path, installed: Path) -> None:
    target = tmp_path / "abs" / "model.pb"
    archive = write_tar(tmp_path / "a.tar.gz", [(str(target), MODEL.graph), ("model_metadata.json", MODEL.metadata_bytes)])
    _refused(archive, artifacts, "absolute path")
    assert not target.exists()


def test_symbolic_and_hard_links(tmp_path: Path, artifacts: Path, installed: Path) -> None:
    sym = write_tar(tmp_path / "s.tar.gz", [tar_member("agent/model.pb", kind=tarfile.SYMTYPE, linkname="/etc/passwd"),
                                            ("model_metadata.json", MODEL.metadata_bytes)])
    _refused(sym, artifacts, "is a link")
    hard = write_tar(tmp_path / "h.tar.gz", [("model.pb", MODEL.graph),
                                             tar_member("agent/x.json", kind=tarfile.LNKTYPE, linkname="model.pb"),
                                             ("model_metadata.json", MODEL.metadata_bytes)])
    _refused(hard, artifacts, "is a link")


def test_device_files_and_fifos(tmp_path: Path, artifacts: Path, installed: Path) -> None:
    for kind, word in ((tarfile.CHRTYPE, "device file"), (tarfile.BLKTYPE, "device file"), (tarfile.FIFOTYPE, "FIFO")):
        archive = write_tar(tmp_path / f"d{kind!r}.tar.gz", [
            ("agent/model.pb", MODEL.graph), ("model_metadata.json", MODEL.metadata_bytes),
            tar_member("dev/sda", kind=kind, devmajor=8, devminor=0)])
        _refused(archive, artifacts, word)


def test_more_than_one_graph(tmp_path: Path, artifacts: Path, installed: Path) -> None:
    archive = write_tar(tmp_path / "two.tar.gz", [("model/model_0.pb", MODEL.graph), ("model/model_1.pb", MODEL.graph),
                                                  ("model_metadata.json", MODEL.metadata_bytes)])
    _refused(archive, artifacts, "more than one model graph", "model/model_0.pb", "model/model_1.pb")
    onnx_too = write_tar(tmp_path / "mixed.tar.gz", [("agent/model.pb", MODEL.graph), ("agent/model.onnx", b"x"),
                                                     ("model_metadata.json", MODEL.metadata_bytes)])
    _refused(onnx_too, artifacts, "more than one model graph")


def test_no_graph_and_no_metadata(tmp_path: Path, artifacts: Path, installed: Path) -> None:
    no_graph = write_tar(tmp_path / "ng.tar.gz", [("model_metadata.json", MODEL.metadata_bytes),
                                                  ("agent/model.xml", b"<net/>")])
    _refused(no_graph, artifacts, "contains no model graph")
    no_meta = write_tar(tmp_path / "nm.tar.gz", [("agent/model.pb", MODEL.graph)])
    _refused(no_meta, artifacts, "has no model_metadata.json")


def test_corrupt_and_truncated_gzip(tmp_path: Path, artifacts: Path, installed: Path) -> None:
    good = model_archive(tmp_path / "good.tar.gz", MODEL).read_bytes()
    truncated = tmp_path / "victim.tar.gz"
    truncated.write_bytes(good[: len(good) // 2])
    _refused(truncated, artifacts, "not a valid gzip archive (corrupt or truncated)")
    corrupt = bytearray(good)
    for i in range(200, 260):
        corrupt[i] ^= 0x5A
    bad = tmp_path / "corrupt.tar.gz"
    bad.write_bytes(bytes(corrupt))
    _refused(bad, artifacts, "corrupt or truncated")
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"this is not an archive at all" * 40)
    _refused(garbage, artifacts, "not a valid gzip archive")


def test_a_flipped_byte_anywhere_in_a_gzipped_archive_is_refused(tmp_path: Path, artifacts: Path,
                                                                 installed: Path) -> None:
    """Deflate often decodes damaged data without error; only gzip's CRC at the stream's end catches it, and tar
    stops reading before that end. Damage in the graph's bytes must not load as a model with altered weights."""
    good = model_archive(tmp_path / "good.tar.gz", MODEL).read_bytes()
    bad = tmp_path / "damaged.tar.gz"
    header = 10 + len(b"good.tar.gz") + 1  # gzip header with the original file name
    for start in range(header, len(good) - 8, len(good) // 40):
        damaged = bytearray(good)
        for i in range(start, start + 4):
            damaged[i] ^= 0x5A
        bad.write_bytes(bytes(damaged))
        _refused(bad, artifacts, "corrupt or truncated")


def test_expansion_limit_stops_a_gzip_bomb(tmp_path: Path, artifacts: Path, installed: Path) -> None:
    info = tarfile.TarInfo("padding.bin")
    info.size = 8 << 20
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        tar.addfile(info, io.BytesIO(bytes(info.size)))
        for name, data in (("agent/model.pb", MODEL.graph), ("model_metadata.json", MODEL.metadata_bytes)):
            member = tarfile.TarInfo(name)
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    bomb = tmp_path / "bomb.tar.gz"
    bomb.write_bytes(gzip.compress(raw.getvalue(), compresslevel=1))
    assert bomb.stat().st_size < 2 << 20  # small on disk, 10 MB once expanded
    _refused(bomb, artifacts, "expands to more than 4 MB", max_expanded_bytes=4 << 20)
    # the same archive within a larger limit is fine: the limit is what refused it
    assert import_model(bomb, artifacts, "big", max_expanded_bytes=64 << 20).checksum == MODEL.md5


def test_invalid_metadata_names_the_problem(tmp_path: Path, artifacts: Path, installed: Path) -> None:
    bad = MODEL.metadata | {"sensor": ["CAMERA"]}
    import json

    archive = write_tar(tmp_path / "m.tar.gz", [("agent/model.pb", MODEL.graph),
                                                ("model_metadata.json", json.dumps(bad).encode())])
    message = _refused(archive, artifacts, "model_metadata.json: sensor 'CAMERA' is not one of observation, LIDAR")
    with pytest.raises(MetadataError):
        import_model(archive, artifacts, "victim")
    assert "m.tar.gz" in message


def test_graph_that_is_not_a_frozen_graph(tmp_path: Path, artifacts: Path, installed: Path) -> None:
    archive = write_tar(tmp_path / "g.tar.gz", [("agent/model.pb", b"\xff\xfe not protobuf \x00" * 10),
                                                ("model_metadata.json", MODEL.metadata_bytes)])
    _refused(archive, artifacts, "agent/model.pb is not a TensorFlow frozen graph")


def test_unsupported_and_missing_files(tmp_path: Path, artifacts: Path, installed: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    _refused(tmp_path / "notes.txt", artifacts, "unsupported file")
    _refused(tmp_path / "missing.tar.gz", artifacts, "does not exist")
