"""`deepracer models import|list|delete` on the shared model library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.deepracer import build_parser
from tests.inference.helpers import build_model, model_archive, write_tar

MODEL = build_model(seed=12, sensors=("FRONT_FACING_CAMERA",), num_actions=3, middleware_units=4)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    args = build_parser().parse_args(list(argv))
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_import_list_delete(tmp_path: Path, artifacts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = model_archive(tmp_path / "Speedy.tar.gz", MODEL)
    code, out, _ = run(capsys, "models", "--artifacts-dir", str(artifacts), "import", str(archive))
    assert code == 0 and "Installed model 'Speedy'" in out and MODEL.md5 in out
    code, out, _ = run(capsys, "models", "import", str(archive), "--name", "Copy", "--artifacts-dir", str(artifacts))
    assert code == 0 and (artifacts / "Copy" / "model.pb").read_bytes() == MODEL.graph

    code, out, _ = run(capsys, "models", "--artifacts-dir", str(artifacts), "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["NAME", "SENSORS", "ALGORITHM", "ACTIONS"]
    speedy = next(line for line in lines if line.startswith("Speedy"))
    assert "FRONT_FACING_CAMERA" in speedy and "Clipped PPO" in speedy and speedy.endswith("ready")

    code, out, _ = run(capsys, "models", "--artifacts-dir", str(artifacts), "list", "--json")
    rows = {row["name"]: row for row in json.loads(out)}
    assert set(rows) == {"Copy", "Other_model", "Speedy"}
    assert rows["Speedy"]["checksum"] == MODEL.md5 and rows["Speedy"]["ready"] is True

    code, out, _ = run(capsys, "models", "--artifacts-dir", str(artifacts), "delete", "Speedy")
    assert code == 0 and "Deleted model 'Speedy'" in out
    assert not (artifacts / "Speedy").exists() and (artifacts / "Copy").is_dir()


def test_errors_are_one_line_with_exit_status_1(tmp_path: Path, artifacts: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_tar(tmp_path / "bad.tar.gz", [("../../x.pb", MODEL.graph)])
    code, out, err = run(capsys, "models", "--artifacts-dir", str(artifacts), "import", str(bad))
    assert code == 1 and out == "" and err.startswith("error: bad.tar.gz: member '../../x.pb' points outside")
    code, _, err = run(capsys, "models", "--artifacts-dir", str(artifacts), "delete", "ghost")
    assert code == 1 and err == "error: model 'ghost' is not installed\n"


def test_default_folder_follows_the_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DEEPRACER_STATE_DIR", str(tmp_path / "state"))
    code, out, _ = run(capsys, "models", "import", str(model_archive(tmp_path / "m.tar.gz", MODEL)))
    assert code == 0 and (tmp_path / "state" / "artifacts" / "m" / "checksum.txt").is_file()
    code, out, _ = run(capsys, "models", "list")
    assert out.splitlines()[1].startswith("m ")
