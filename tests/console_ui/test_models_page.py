"""Models in Chromium: upload an archive with the progress bar, see it listed, load it on the Control
page (load progress until "loaded"), drive autonomously, delete it; the backend's validation
messages are shown exactly as sent; the shipped sample model is listed with a "Sample" badge."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from ctrl_pkg.ctrl_node import command_qos
from deepracer_interfaces_pkg.msg import ServoCtrlMsg

from inference.tfgraph import ShallowNetworkSpec, model_metadata, random_weights, shallow_graph_bytes
from tests.console_ui.conftest import Stack, subscribe
from tests.support.ros import RosTestNode, wait_until, with_depth

pytestmark = [pytest.mark.ros, pytest.mark.browser]

MODEL = "ui-test-model"
SERVO_QOS = with_depth(command_qos(), 100)  # as servo_node reads /ctrl_pkg/servo_msg, keeping bursts


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real DeepRacer model archive (AWS console layout: agent/model.pb + model_metadata.json)."""
    spec = ShallowNetworkSpec(middleware_units=32)
    graph = shallow_graph_bytes(spec, random_weights(spec, 7))
    meta = json.dumps(model_metadata(spec)).encode()
    path = tmp_path_factory.mktemp("models") / f"{MODEL}.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in (("agent/model.pb", graph), ("model_metadata.json", meta)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _upload(p: Any, path: Path) -> dict[str, Any]:
    """Choose the file and press Upload; returns the server's JSON answer."""
    p.set_input_files("#model-file", str(path))
    with p.expect_response(lambda r: r.url.endswith("/api/uploadModels")) as answer:
        p.click("#model-upload")
    body: dict[str, Any] = answer.value.json()
    p.wait_for_selector("#upload-result:not([hidden])")
    return body


def test_invalid_files_show_the_backend_message(car: Stack, page, tmp_path: Path) -> None:
    p = page("models")
    text = tmp_path / "notes.txt"
    text.write_text("not a model")
    body = _upload(p, text)
    assert body["success"] is False
    result = p.locator("#upload-result")
    assert result.inner_text() == body["message"] == "Failed to upload the model. Not a .tar.gz file"
    assert result.get_attribute("data-state") == "error"

    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"\x1f\x8b this is not gzip data")
    body = _upload(p, broken)
    assert body["success"] is False
    assert p.locator("#upload-result").inner_text() == body["message"]
    assert not (car.state_dir / "artifacts" / "broken").exists()


def test_upload_load_drive_and_delete(car: Stack, page, archive: Path, ros: RosTestNode, sim_car_settings,
                                     shot) -> None:
    p = page("models")
    p.set_input_files("#model-file", str(archive))
    assert MODEL in p.locator("#model-file-name").inner_text()
    # The progress bar appears while the bytes go up (XHR upload progress).
    p.evaluate("""() => { window.__progressSeen = false;
        new MutationObserver(() => { if (!document.querySelector('#upload-progress').hidden) window.__progressSeen = true; })
          .observe(document.querySelector('#upload-progress'), {attributes: true}); }""")
    with p.expect_response(lambda r: r.url.endswith("/api/uploadModels")) as answer:
        p.click("#model-upload")
    assert answer.value.json()["success"] is True
    result = p.locator("#upload-result")
    result.wait_for(state="visible")
    assert result.inner_text() == "Model uploaded successfully to your vehicle"
    assert p.evaluate("window.__progressSeen") is True
    row = p.locator(f'tr[data-model="{MODEL}"]')
    row.wait_for()
    row_text = row.inner_text()
    assert "Front-facing camera" in row_text and "Clipped PPO" in row_text and "Discrete" in row_text
    assert "Ready" in row_text
    assert (car.state_dir / "artifacts" / MODEL / "model.pb").is_file()
    shot(p, "models-laptop")

    # Load it on the Control page, with the load progress.
    c = page("control")
    c.click("#tab-auto")
    option = f"{MODEL}/model"
    c.wait_for_selector(f'#model-select option[value="{option}"]', state="attached")
    c.select_option("#model-select", option)
    c.click("#model-load")
    c.click("dialog.modal button.primary")        # "Load model" in the confirmation
    c.wait_for_selector("#model-load-status[data-state=loading], #model-load-status[data-state=loaded]")
    c.wait_for_selector("#model-load-status[data-state=loaded], #model-load-status[data-state=error]",
                        timeout=90_000)
    assert c.locator("#model-load-status").get_attribute("data-state") == "loaded", \
        c.locator("#model-load-status").inner_text()
    assert MODEL in c.locator("#model-load-status").inner_text()

    # Start: the model drives the car (navigation -> ctrl -> /ctrl_pkg/servo_msg); Stop stops it.
    servo = subscribe(ros, ServoCtrlMsg, "/ctrl_pkg/servo_msg", SERVO_QOS)
    c.click("#auto-start")
    c.wait_for_selector("#auto-run-state[data-state=running]")
    wait_until(lambda: any(m.throttle > 0 for m in servo), 15, "autonomous commands on /ctrl_pkg/servo_msg")
    shot(c, "control-autonomous-laptop")
    mark = len(servo)
    c.click("#auto-stop")
    c.wait_for_selector("#auto-run-state[data-state=stopped]")
    wait_until(lambda: any(m.throttle == 0 for m in servo[mark:]), 5, "a stop command after Stop")
    c.close()

    # Delete it.
    p.reload(wait_until="domcontentloaded")
    row = p.locator(f'tr[data-model="{MODEL}"]')
    row.locator("input[type=checkbox]").check()
    p.click("#models-delete")
    p.click("dialog.modal button.danger")
    row.wait_for(state="detached")
    assert not (car.state_dir / "artifacts" / MODEL).exists()


def test_the_shipped_sample_is_listed_as_a_sample(car: Stack, page) -> None:
    p = page("models")
    row = p.locator('tr[data-model="Sample_sim_loop_model"]')
    row.wait_for()
    assert row.locator(".badge.sample").inner_text() == "Sample"
    assert "Ready" in row.inner_text() and "Front-facing camera" in row.inner_text()
    # only samples carry the badge
    assert p.locator("tr[data-model] .badge.sample").count() == p.locator(
        'tr[data-model^="Sample_"]').count()
