"""The models/ folder of a drive is imported through the model library, models already on the car
are kept, one result line per archive goes into device-status.txt, the power LED blinks."""

from __future__ import annotations

from pathlib import Path

import pytest

from inference.models import list_models
from tests.usb.conftest import make_stick, tiny_model_archive
from usb_wifi_provisioner.leds import BLUE, NO_COLOR, POWER_LED, WIFI_LED
from usb_wifi_provisioner.provision import Provisioner


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    folder = tmp_path / "artifacts"
    tiny_model_archive(tmp_path / "keep" / "already-there.tar.gz", seed=1)
    from inference.models import import_model

    import_model(tmp_path / "keep" / "already-there.tar.gz", folder)
    return folder


@pytest.fixture
def provisioner(fake_nm, leds, artifacts):
    return Provisioner(leds=leds, artifacts_dir=artifacts, hostname=lambda: "amss-test", timestamp=lambda: "t")


def test_models_folder_imported_next_to_existing_models(provisioner, leds, artifacts, tmp_path):
    stick = make_stick(tmp_path)
    tiny_model_archive(stick / "models" / "Fast Lap.tar.gz", seed=2)
    tiny_model_archive(stick / "models" / "root-layout.tar.gz", seed=3, layout="root")
    (stick / "models" / "broken.tar.gz").write_bytes(b"\x1f\x8b this is not gzip")
    (stick / "models" / "README.txt").write_text("hello")
    (stick / "models" / "._Fast Lap.tar.gz").write_bytes(b"macOS resource fork")
    released = []
    report = provisioner.process_drive(stick, finish=lambda: released.append(len(leds.effects)))

    names = sorted(m.name for m in list_models(artifacts))
    assert names == ["Fast_Lap", "already-there", "root-layout"]   # nothing wiped, original naming rule
    statuses = {m.file: m.status for m in report.models}
    assert statuses == {"Fast Lap.tar.gz": "installed", "README.txt": "ignored", "broken.tar.gz": "failed",
                        "root-layout.tar.gz": "installed"}
    text = (stick / "device-status.txt").read_text()
    assert 'Model Fast Lap.tar.gz: installed as "Fast_Lap".' in text
    assert 'Model root-layout.tar.gz: installed as "root-layout".' in text
    assert "Model broken.tar.gz: failed: " in text
    assert "Model README.txt: ignored (not a model archive" in text
    assert "._Fast" not in text
    assert not report.ok
    # power LED blinks during the import, back to solid blue after; the drive is released first
    assert leds.effects == [("blink", POWER_LED, BLUE, NO_COLOR, 0.2), ("solid", POWER_LED, BLUE, 0.0)]
    assert released == [1]


def test_same_archive_twice_is_unchanged(provisioner, artifacts, tmp_path):
    stick = make_stick(tmp_path)
    tiny_model_archive(stick / "models" / "m.tar.gz", seed=4)
    provisioner.process_drive(stick)
    report = provisioner.process_drive(stick)
    assert [m.status for m in report.models] == ["unchanged"]
    assert 'Model m.tar.gz: already installed as "m", unchanged.' in (stick / "device-status.txt").read_text()


def test_wifi_first_then_models(provisioner, fake_nm, leds, artifacts, tmp_path):
    stick = make_stick(tmp_path, creds="ssid: 'Your-WiFi 100'\npassword: Passwd1234\n")
    tiny_model_archive(stick / "models" / "m.tar.gz", seed=5)
    report = provisioner.process_drive(stick)
    assert report.ok
    assert [e[:2] for e in leds.effects] == [("blink", WIFI_LED), ("solid", WIFI_LED), ("blink", POWER_LED),
                                             ("solid", POWER_LED)]
    text = (stick / "device-status.txt").read_text()
    assert text.index("Successfully connected") < text.index("Model m.tar.gz")
    assert text.count("Hostname: amss-test") == 1


def test_empty_models_folder_is_reported(provisioner, artifacts, tmp_path):
    stick = make_stick(tmp_path)
    (stick / "models").mkdir()
    provisioner.process_drive(stick)
    assert "models: no model archive found in the models folder." in (stick / "device-status.txt").read_text()
    assert [m.name for m in list_models(artifacts)] == ["already-there"]
