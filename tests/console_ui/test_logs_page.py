"""The Logs page lists the car's allow-listed logs and shows their last lines, with a filter."""

from __future__ import annotations

import pytest

from tests.console_ui.conftest import Stack

pytestmark = [pytest.mark.ros, pytest.mark.browser]


def test_read_the_process_logs(car: Stack, page, shot) -> None:
    p = page("logs")
    options = p.locator("#log-type option").evaluate_all("els => els.map(e => e.value)")
    assert options[0] == "SYS"
    assert {"CONSOLE", "CORE", "SIM"} <= set(options)
    output = p.locator("#log-output")

    p.select_option("#log-type", "CORE")
    p.wait_for_function("document.querySelector('#log-output').textContent.includes('ctrl_node started')")
    assert "servo" in output.inner_text()

    p.select_option("#log-lines", "100")
    p.fill("#log-filter", "ctrl_node")
    p.wait_for_function("!document.querySelector('#log-output').textContent.includes('servo_node]')")
    lines = [line for line in output.inner_text().splitlines() if line.strip()]
    assert lines and all("ctrl_node" in line for line in lines)
    p.fill("#log-filter", "")

    p.select_option("#log-type", "CONSOLE")
    p.wait_for_function("document.querySelector('#log-output').textContent.includes('Uvicorn running')")
    shot(p, "logs-laptop")
