"""Fixtures of the USB provisioner tests: a fake NetworkManager on PATH, drives as folders."""

from __future__ import annotations

import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.usb.fake_nm import FakeNetworkManager


@pytest.fixture
def fake_nm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNetworkManager]:
    nm = FakeNetworkManager(tmp_path / "fake-nm")
    for key, value in nm.env().items():
        monkeypatch.setenv(key, value)
    yield nm


@pytest.fixture
def usb_run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    run = tmp_path / "usb-run"
    monkeypatch.setenv("DEEPRACER_USB_RUN_DIR", str(run))
    monkeypatch.setenv("DEEPRACER_USB_LEDS", "none")
    return run


class RecordingLeds:
    """LedControl that records every effect, in order."""

    def __init__(self) -> None:
        self.effects: list[tuple] = []

    def blink(self, led_index: int, color1: str, color2: str, delay: float) -> None:
        self.effects.append(("blink", led_index, color1, color2, delay))

    def solid(self, led_index: int, color: str, hold: float) -> None:
        self.effects.append(("solid", led_index, color, hold))


@pytest.fixture
def leds() -> RecordingLeds:
    return RecordingLeds()


def make_stick(parent: Path, name: str = "stick", creds: str | None = None, files: dict[str, bytes] | None = None) -> Path:
    """A folder standing in for a mounted USB drive."""
    root = parent / name
    root.mkdir(parents=True, exist_ok=True)
    if creds is not None:
        (root / "wifi-creds.txt").write_text(creds)
    for rel, data in (files or {}).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def tiny_model_archive(path: Path, seed: int = 0, layout: str = "agent") -> Path:
    """A small but valid DeepRacer model archive (frozen graph + model_metadata.json)."""
    from inference.tfgraph import ShallowNetworkSpec, random_weights, write_model_folder

    spec = ShallowNetworkSpec(sensors=("SECTOR_LIDAR",), lidar_size=8, lidar_layers=(4,), middleware_units=4,
                              num_actions=3)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        graph = write_model_folder(folder, spec, random_weights(spec, seed=seed))
        path.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(path, "w:gz") as tar:
            tar.add(graph, arcname="agent/model.pb" if layout == "agent" else "model.pb")
            tar.add(folder / "model_metadata.json", arcname="model_metadata.json")
    return path
