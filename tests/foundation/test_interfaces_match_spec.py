"""Our deepracer_interfaces_pkg is the community dialect: every original message and service with
identical package, type and field names (official_stack.md section 2), except the five types the
community changed, which have the community's fields (community.md section 7), plus the community's
three telemetry types and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.shared import require_shared

REPO = Path(__file__).resolve().parents[2]
PKG = REPO / "ros2_ws" / "src" / "deepracer_interfaces_pkg"
VENDORED = Path(__file__).parent / "data" / "official_interfaces_section2.md"
VENDORED_COMMUNITY = Path(__file__).parent / "data" / "community_interfaces_section7.md"
# The community's additions; community.md names them without fields. Their fields are the ones the
# community's device_status_node fills (deepracer-custom-car, device_info_pkg/device_status_node.py)
# and its servo node publishes (LatencyMeasureMsg.latency_ms on /servo_pkg/latency).
_STATUS = [("float32", name) for name in ("cpu_percent", "cpu_temp", "cpu_freq", "cpu_freq_max", "memory_usage",
                                          "free_disk", "latency_mean", "latency_p95", "fps_mean")]
COMMUNITY_ADDED_MSGS = {"DeviceStatusMsg": _STATUS, "LatencyMeasureMsg": [("float32", "latency_ms")]}
COMMUNITY_ADDED_SRVS = {"GetDeviceStatusSrv": ([], _STATUS + [("int32", "error")])}


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


def parse_community(text: str) -> tuple[dict[str, tuple[list, list]], dict[str, tuple[list, list]]]:
    """The table of community.md section 7: (original, community) fields per changed type (services:
    of the response, the only part that changes)."""
    msgs: dict[str, tuple[list, list]] = {}
    srvs: dict[str, tuple[list, list]] = {}
    for line in text.splitlines():
        m = re.match(r"\| `(msg|srv)/(\w+)`( \(response\))? \| (.*) \| (.*) \|$", line)
        if not m:
            continue
        kind, name, _response, original, community = m.groups()
        (msgs if kind == "msg" else srvs)[name] = (_fields(original), _fields(community))
    return msgs, srvs


OFFICIAL_MSGS, OFFICIAL_SRVS = parse_spec(VENDORED.read_text())
COMMUNITY_CHANGED_MSGS, COMMUNITY_CHANGED_SRVS = parse_community(VENDORED_COMMUNITY.read_text())
# What our package must hold: the original, with the community's five types in the community's form.
SPEC_MSGS = {name: COMMUNITY_CHANGED_MSGS[name][1] if name in COMMUNITY_CHANGED_MSGS else fields
             for name, fields in OFFICIAL_MSGS.items()} | COMMUNITY_ADDED_MSGS
SPEC_SRVS = {name: (request, COMMUNITY_CHANGED_SRVS[name][1]) if name in COMMUNITY_CHANGED_SRVS
             else (request, response) for name, (request, response) in OFFICIAL_SRVS.items()} | COMMUNITY_ADDED_SRVS


def test_vendored_extract_matches_the_reference_when_available() -> None:
    text = require_shared("official_stack.md").read_text()
    start = text.index("## 2. deepracer_interfaces_pkg")
    section = text[start:text.index("## 3.", start)]
    assert parse_spec(section) == (OFFICIAL_MSGS, OFFICIAL_SRVS)


def test_vendored_community_extract_matches_the_reference_when_available() -> None:
    text = require_shared("community.md").read_text()
    start = text.index("## 7. Interfaces: the community dialect")
    end = text.find("\n## ", start + 1)
    assert parse_community(text[start:end if end > 0 else None]) == (COMMUNITY_CHANGED_MSGS, COMMUNITY_CHANGED_SRVS)


def test_spec_counts() -> None:
    assert len(OFFICIAL_MSGS) == 8
    assert len(OFFICIAL_SRVS) == 29
    # exactly five types change, and each one's "original" column is the original's definition
    assert sorted(COMMUNITY_CHANGED_MSGS) == ["CameraMsg", "EvoSensorMsg", "InferResultsArray", "ServoCtrlMsg"]
    assert sorted(COMMUNITY_CHANGED_SRVS) == ["GetDeviceInfoSrv"]
    for name, (original, _community) in COMMUNITY_CHANGED_MSGS.items():
        assert original == OFFICIAL_MSGS[name]
    assert COMMUNITY_CHANGED_SRVS["GetDeviceInfoSrv"][0] == OFFICIAL_SRVS["GetDeviceInfoSrv"][1]


def test_images_are_jpeg_and_servo_commands_carry_the_capture_stamp() -> None:
    for name in ("CameraMsg", "EvoSensorMsg", "InferResultsArray"):
        assert ("sensor_msgs/CompressedImage[]", "images") in SPEC_MSGS[name]
    assert SPEC_MSGS["ServoCtrlMsg"][-1] == ("builtin_interfaces/Time", "source_stamp")


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


def test_no_other_types() -> None:
    ours = {p.stem for p in (PKG / "msg").glob("*.msg")} | {p.stem for p in (PKG / "srv").glob("*.srv")}
    assert ours == set(SPEC_MSGS) | set(SPEC_SRVS)


def test_generated_python_types_import_with_the_fields() -> None:
    import deepracer_interfaces_pkg.msg as msg
    import deepracer_interfaces_pkg.srv as srv

    for name, fields in SPEC_MSGS.items():
        assert list(getattr(msg, name).get_fields_and_field_types()) == [f for _, f in fields]
    for name, (request, response) in SPEC_SRVS.items():
        cls = getattr(srv, name)
        assert list(cls.Request.get_fields_and_field_types()) == [f for _, f in request]
        assert list(cls.Response.get_fields_and_field_types()) == [f for _, f in response]
