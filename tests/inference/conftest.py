"""Fixtures of the inference tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    """An artifacts folder holding one unrelated model, which no operation may touch."""
    root = tmp_path / "artifacts"
    other = root / "Other_model"
    other.mkdir(parents=True)
    (other / "model.pb").write_bytes(b"other graph")
    (other / "model_metadata.json").write_text('{"action_space": [{"steering_angle": 0, "speed": 1}]}')
    (other / "checksum.txt").write_text("0123\n")
    return root
