"""Our deepracer_interfaces_pkg carries every original message and service with identical
package, type and field names (official_stack.md section 2), and adds only new types."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.shared import require_shared

REPO = Path(__file__).resolve().parents[2]
PKG = REPO / "ros2_ws" / "src" / "deepracer_interfaces_pkg"
VENDORED = Path(__file__).parent / "data" / "official_interfaces_section2.md"
COMMUNITY_TYPES = {"DeviceStatusMsg", "LatencyMeasureMsg", "GetDeviceStatusSrv"}
OUR_EXTENSIONS = {"ServoCtrlStampedMsg"}


def _fields(text: str) -> list[tuple[str, str]]:
    """`float32 angle`, `sensor_msgs/Image[] images` ... -> [(type, name)] from backticked items."""
    return [tuple(item.split()) for item in re.findall(r"`([A-Za-z0-9_/\[\]]+ [a-z_0-9]+)`", text)]  # type: ignore[misc]


def parse_spec(text: str) -> tuple[dict[str, list], dict[str, tuple[list, list]]]:
    msgs: dict[str, list] = {}
    srvs: dict[str, tuple[list, list]] = {}
    section = None
    for line in text.splitlines():
        if line.startswith("Messages:"):
            section = "msg"
        elif line.startswith("Services"):
            section = "srv"
        elif line.startswith("Enumerations"):
            section = None
        m = re.match(r"- `(\w+)`: (.*)", line)
        if not m or section is None:
            continue
        name, body = m.groups()
        if section == "msg":
            msgs[name] = _fields(body)
        else:
            request, _, response = body.partition("---")
            srvs[name] = (_fields(request), _fields(response))
    return msgs, srvs


def _normalise(fields: list) -> list[tuple[str, str]]:
    out = []
    for ftype, fname in fields:
        out.append((ftype.split("/")[-1] if ftype.startswith(("sensor_msgs/", "builtin_interfaces/")) else ftype, fname))
    return out


def read_interface(path: Path) -> list[list[tuple[str, str]]]:
    parts: list[list[tuple[str, str]]] = [[]]
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line == "---":
            parts.append([])
        elif line:
            ftype, fname = line.split()[:2]
            parts[-1].append((ftype, fname))
    return [_normalise(p) for p in parts]


SPEC_MSGS, SPEC_SRVS = parse_spec(VENDORED.read_text())


def test_vendored_extract_matches_the_reference_when_available() -> None:
    text = require_shared("official_stack.md").read_text()
    start = text.index("## 2. deepracer_interfaces_pkg")
    section = text[start:text.index("## 3.", start)]
    assert parse_spec(section) == (SPEC_MSGS, SPEC_SRVS)


def test_spec_counts() -> None:
    assert len(SPEC_MSGS) == 8
    assert len(SPEC_SRVS) == 29


@pytest.mark.parametrize("name", sorted(SPEC_MSGS))
def test_message_fields_identical(name: str) -> None:
    path = PKG / "msg" / f"{name}.msg"
    assert path.is_file(), f"missing message {name}"
    (fields,) = read_interface(path)
    assert fields == _normalise(SPEC_MSGS[name])


@pytest.mark.parametrize("name", sorted(SPEC_SRVS))
def test_service_fields_identical(name: str) -> None:
    path = PKG / "srv" / f"{name}.srv"
    assert path.is_file(), f"missing service {name}"
    request, response = read_interface(path)
    spec_request, spec_response = SPEC_SRVS[name]
    assert request == _normalise(spec_request)
    assert response == _normalise(spec_response)


def test_only_new_types_are_added() -> None:
    ours = {p.stem for p in (PKG / "msg").glob("*.msg")} | {p.stem for p in (PKG / "srv").glob("*.srv")}
    extra = ours - set(SPEC_MSGS) - set(SPEC_SRVS)
    assert extra == COMMUNITY_TYPES | OUR_EXTENSIONS


def test_generated_python_types_import_with_the_fields() -> None:
    import deepracer_interfaces_pkg.msg as msg
    import deepracer_interfaces_pkg.srv as srv

    for name, fields in SPEC_MSGS.items():
        assert list(getattr(msg, name).get_fields_and_field_types()) == [f for _, f in fields]
    for name, (request, response) in SPEC_SRVS.items():
        cls = getattr(srv, name)
        assert list(cls.Request.get_fields_and_field_types()) == [f for _, f in request]
        assert list(cls.Response.get_fields_and_field_types()) == [f for _, f in response]
