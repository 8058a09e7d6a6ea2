"""The Logs page lists the drive recordings and replays one frame by frame: the camera frame with the
model's action probabilities drawn beside it (the chosen action highlighted); download and delete.
The Settings page sets the logging mode and storage (logging.conf), put back afterwards."""

from __future__ import annotations

import json
import shutil

import pytest
from rclpy.serialization import serialize_message

from recording.writer import BagWriter, TopicInfo
from tests.console_ui.conftest import Stack
from tests.recording import messages

pytestmark = [pytest.mark.ros, pytest.mark.browser]
NAME, MODEL = "uitest-model-20260101-000000", "uitest-model"


def _bag(stack: Stack) -> None:
    writer = BagWriter(stack.logs_dir / NAME, "mcap")
    writer.open()
    writer.add_topic(TopicInfo("/inference_pkg/rl_results", "deepracer_interfaces_pkg/msg/InferResultsArray"))
    for i in range(6):
        writer.write("/inference_pkg/rl_results", 1_780_000_000_000_000_000 + i * 33_333_333,
                     serialize_message(messages.results(i)))
    writer.close()


def test_list_replay_step_and_delete(car: Stack, page, shot) -> None:
    _bag(car)
    try:
        p = page("logs")
        row = p.locator(f'#recordings-table tr[data-name="{NAME}"]')
        row.wait_for()
        cells = row.locator("td").all_inner_texts()
        assert cells[0] == NAME and cells[1] == MODEL and cells[4] == "6" and cells[3].endswith(" s")
        assert row.locator("a", has_text="Download").get_attribute("href").endswith(f"/{NAME}/download")
        row.locator("button", has_text="Replay").click()
        p.wait_for_function("document.querySelector('#replay-canvas')?.dataset.frame === '0'")
        p.wait_for_function("document.querySelector('#replay-position').textContent.startsWith('Frame 1 / 6')")
        p.click("#replay-next")
        p.wait_for_function("document.querySelector('#replay-canvas').dataset.frame === '1'")
        assert p.locator("#replay-position").inner_text().startswith("Frame 2 / 6 · 0.03 s")
        # the frame is drawn (the camera image on the left) with the chosen action's bar beside it
        p.wait_for_function("""() => { const c = document.querySelector('#replay-canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let chosen = false, image = false;
            for (let i = 0; i < d.length; i += 4) {
              if (d[i] === 255 && d[i + 1] === 153 && d[i + 2] === 0) chosen = true;
              if ((i / 4) % c.width < 300 && d[i] > 150 && d[i + 2] < 120) image = true;   // the frame's red
            }
            return chosen && image; }""")
        shot(p, "recordings-replay")
        p.on("dialog", lambda dialog: dialog.accept())
        row.locator("button", has_text="Delete").click()
        row.wait_for(state="detached")
        assert not (car.logs_dir / NAME).exists()
    finally:
        shutil.rmtree(car.logs_dir / NAME, ignore_errors=True)


def test_settings_set_the_logging_mode_and_storage(car: Stack, page) -> None:
    conf = car.state_dir / "logging.conf"
    before = conf.read_text() if conf.exists() else None
    try:
        p = page("settings")
        p.locator("#logging-mode option").first.wait_for(state="attached")
        p.select_option("#logging-mode", "USBOnly")
        p.select_option("#logging-provider", "sqlite3")
        p.click("#logging-save")
        p.wait_for_function("document.querySelector('#logging-result').textContent.startsWith('Saved')")
        assert conf.read_text() == "provider=sqlite3\nmode=usbonly\n"
        # the recorder applies it (its status file says why it does not record now)
        p.wait_for_function("document.querySelector('#logging-status').textContent.includes('USBOnly')", timeout=20000)
        status = json.loads((car.state_dir / "run" / "recorder.json").read_text())
        assert status["mode"] == "USBOnly" and status["provider"] == "sqlite3"
    finally:
        if before is None:
            conf.unlink(missing_ok=True)
        else:
            conf.write_text(before)
