"""The Logs page lists the car's allow-listed logs and shows their last lines, with a filter. On
`make run` it opens on the stack's own process logs (`<state>/logs/*.log`), not a system log."""

from __future__ import annotations

import pytest

from tests.console_ui.conftest import Stack

pytestmark = [pytest.mark.ros, pytest.mark.browser]


def test_read_the_process_logs(car: Stack, page, shot) -> None:
    p = page("logs")
    options = p.locator("#log-type option").evaluate_all("els => els.map(e => e.value)")
    assert options[:6] == ["STACK", "SIM", "CORE", "SENSORS", "INFERENCE", "CONSOLE"]
    assert "SYS" in options  # the original name is still offered
    output = p.locator("#log-output")
    # it opens on every process of the stack, each under its header, with what they logged
    assert p.locator("#log-type").input_value() == "STACK"
    p.wait_for_function("document.querySelector('#log-output').textContent.includes('==> core.log <==')")
    sections: dict[str, str] = {}
    head = ""
    for line in output.inner_text().splitlines():
        if line.startswith("==> ") and line.endswith(" <=="):
            head = line
            sections[head] = ""
        elif head:
            sections[head] += line
    for process in ("sim", "core", "sensors", "inference", "console"):
        assert sections.get(f"==> {process}.log <==", "").strip(), f"nothing shown from {process}.log"

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
