"""Reading a recorded bag back without rosbags (the library that wrote it): the reference MCAP reader
(`mcap` + `mcap-ros2-support`) for mcap bags; Python's sqlite3 and the same ROS 2 decoder for sqlite3
bags. Type definitions are checked against the installed `.msg` files and type hashes against the
interface build's `.json` files, read here directly."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SEPARATOR = "=" * 80


@dataclass
class Stored:
    topic: str
    type_name: str
    definition: str
    log_time: int
    decoded: Any


def metadata(folder: Path) -> dict[str, Any]:
    return yaml.safe_load((folder / "metadata.yaml").read_text())["rosbag2_bagfile_information"]


def read_bag(folder: Path) -> list[Stored]:
    info = metadata(folder)
    files = [folder / name for name in info["relative_file_paths"]]
    assert len(files) == 1 and files[0].is_file(), files
    if info["storage_identifier"] == "mcap":
        return _read_mcap(files[0])
    assert info["storage_identifier"] == "sqlite3", info["storage_identifier"]
    return _read_sqlite(files[0])


def _read_mcap(path: Path) -> list[Stored]:
    from mcap.reader import make_reader
    from mcap_ros2.decoder import DecoderFactory

    out = []
    with path.open("rb") as handle:
        reader = make_reader(handle, decoder_factories=[DecoderFactory()])
        for schema, channel, message, decoded in reader.iter_decoded_messages():
            assert schema is not None and schema.encoding == "ros2msg" and channel.message_encoding == "cdr"
            out.append(Stored(channel.topic, schema.name, schema.data.decode(), message.log_time, decoded))
    return out


def _read_sqlite(path: Path) -> list[Stored]:
    from mcap.records import Schema
    from mcap_ros2.decoder import DecoderFactory

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        defs = {t: (enc, text) for t, enc, text in conn.execute(
            "SELECT topic_type, encoding, encoded_message_definition FROM message_definitions")}
        topics = {tid: (name, type_name, fmt) for tid, name, type_name, fmt in conn.execute(
            "SELECT id, name, type, serialization_format FROM topics")}
        rows = list(conn.execute("SELECT topic_id, timestamp, data FROM messages ORDER BY timestamp"))
    finally:
        conn.close()
    factory = DecoderFactory()
    decoders = {}
    out = []
    for tid, stamp, data in rows:
        name, type_name, fmt = topics[tid]
        assert fmt == "cdr"
        encoding, text = defs[type_name]
        assert encoding == "ros2msg"
        if type_name not in decoders:
            decoders[type_name] = factory.decoder_for("cdr", Schema(id=tid, name=type_name, encoding="ros2msg",
                                                                      data=text.encode()))
        out.append(Stored(name, type_name, text, int(stamp), decoders[type_name](bytes(data))))
    return out


def share_dirs() -> list[Path]:
    import os
    import sys

    dirs = [Path(p) / "share" for p in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep) if p]
    return dirs + [Path(sys.prefix) / "share"]


def installed(type_name: str, suffix: str) -> Path:
    pkg, _, name = type_name.replace("/msg/", "/").partition("/")
    for share in share_dirs():
        path = share / pkg / "msg" / f"{name}{suffix}"
        if path.is_file():
            return path
    raise AssertionError(f"{type_name}{suffix} is not installed")


def check_definition(type_name: str, definition: str) -> None:
    """The stored definition is the installed .msg text, then each used type's installed text."""
    sections = definition.split(SEPARATOR + "\n")
    assert sections[0] == installed(type_name, ".msg").read_text()
    for section in sections[1:]:
        header, _, text = section.partition("\n")
        assert header.startswith("MSG: "), header
        assert text == installed(header[5:], ".msg").read_text(), header


def installed_hash(type_name: str) -> str:
    data = json.loads(installed(type_name, ".json").read_text())
    full = type_name if "/msg/" in type_name else type_name.replace("/", "/msg/", 1)
    return next(e["hash_string"] for e in data["type_hashes"] if e["type_name"] == full)


def plain(value: Any) -> Any:
    """rclpy messages and decoded messages as plain data (sequences as lists, bytes as bytes)."""
    if hasattr(value, "get_fields_and_field_types"):
        return {k: plain(getattr(value, k)) for k in value.get_fields_and_field_types()}
    if hasattr(value, "__slots__") and not isinstance(value, (bytes, str)):
        return {k: plain(getattr(value, k)) for k in value.__slots__}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if hasattr(value, "tobytes") and getattr(value, "typecode", None) == "B":
        return value.tobytes()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def split_ok(name: str) -> bool:
    """DREM's log processor pattern for a bag folder."""
    import re

    return re.match(r"^(.*)-(\d{8}-\d{6})$", name) is not None
