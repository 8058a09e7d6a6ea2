"""A bag cut short (the recorder crashed or the power went) becomes a complete bag again.

A bag folder without `metadata.yaml` is rebuilt from its storage file: every message that reached
the file (the recorder flushes each second) is read with the type definitions stored beside it (MCAP
schemas or the SQLite `message_definitions` table), written into a fresh bag of the same name and
storage, and swapped in. Nothing is guessed: a file without any readable topic is left as it is and
reported.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class RecoveryError(RuntimeError):
    pass


@dataclass
class StoredTopic:
    name: str
    type_name: str
    msgdef: str


def needs_recovery(folder: Path) -> bool:
    return folder.is_dir() and not (folder / "metadata.yaml").exists() and storage_file(folder) is not None


def storage_file(folder: Path) -> Path | None:
    for pattern in ("*.mcap", "*.db3"):
        found = sorted(folder.glob(pattern))
        if found:
            return found[0]
    return None


def _read_mcap(path: Path) -> tuple[list[StoredTopic], Iterator[tuple[str, int, bytes]]]:
    from mcap.records import Channel, Message, Schema
    from mcap.stream_reader import StreamReader

    schemas: dict[int, Schema] = {}
    channels: dict[int, Channel] = {}
    messages: list[tuple[int, int, bytes]] = []
    with path.open("rb") as handle:
        try:
            for record in StreamReader(handle).records:
                if isinstance(record, Schema):
                    schemas[record.id] = record
                elif isinstance(record, Channel):
                    channels[record.id] = record
                elif isinstance(record, Message):
                    messages.append((record.channel_id, record.log_time, bytes(record.data)))
        except Exception:
            pass  # the file ends mid-record: everything before it is kept
    topics = {cid: StoredTopic(ch.topic, schemas[ch.schema_id].name, schemas[ch.schema_id].data.decode())
              for cid, ch in channels.items() if ch.schema_id in schemas}

    def rows() -> Iterator[tuple[str, int, bytes]]:
        for cid, stamp, data in messages:
            if cid in topics:
                yield topics[cid].name, stamp, data

    return list(topics.values()), rows()


def _read_sqlite(path: Path) -> tuple[list[StoredTopic], Iterator[tuple[str, int, bytes]]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        defs = {row[0]: row[1] for row in conn.execute(
            "SELECT topic_type, encoded_message_definition FROM message_definitions")}
        topic_rows = list(conn.execute("SELECT id, name, type FROM topics"))
        messages = list(conn.execute("SELECT topic_id, timestamp, data FROM messages ORDER BY timestamp"))
    except sqlite3.DatabaseError as exc:
        raise RecoveryError(f"{path}: {exc}") from exc
    finally:
        conn.close()
    topics = {tid: StoredTopic(name, type_name, defs.get(type_name, "")) for tid, name, type_name in topic_rows}

    def rows() -> Iterator[tuple[str, int, bytes]]:
        for tid, stamp, data in messages:
            if tid in topics:
                yield topics[tid].name, int(stamp), bytes(data)

    return [t for t in topics.values() if t.msgdef], rows()


def _typestore(topics: list[StoredTopic]) -> Any:
    from rosbags.typesys import Stores, get_types_from_msg, get_typestore

    store = get_typestore(Stores.EMPTY)
    for topic in topics:
        store.register(get_types_from_msg(topic.msgdef, topic.type_name))
    return store


def recover(folder: Path) -> int:
    """Rebuild `folder` (a bag without metadata.yaml); returns the number of messages kept."""
    from rosbags.rosbag2 import StoragePlugin, Writer

    source = storage_file(folder)
    if source is None:
        raise RecoveryError(f"{folder}: no storage file")
    provider = "mcap" if source.suffix == ".mcap" else "sqlite3"
    topics, rows = (_read_mcap if provider == "mcap" else _read_sqlite)(source)
    if not topics:
        raise RecoveryError(f"{folder}: no readable topic in {source.name}")
    store = _typestore(topics)
    staging_root = folder.parent / f".recover-{folder.name}"
    shutil.rmtree(staging_root, ignore_errors=True)
    staging_root.mkdir()
    staged = staging_root / folder.name
    writer = Writer(staged, version=9,
                    storage_plugin=StoragePlugin.MCAP if provider == "mcap" else StoragePlugin.SQLITE3)
    writer.open()
    # the stored definition text is kept as it was (the installed .msg files of the recording car)
    connections = {t.name: writer.add_connection(t.name, t.type_name, msgdef=t.msgdef,
                                                 rihs01=store.hash_rihs01(t.type_name)) for t in topics}
    count = 0
    for name, stamp, data in rows:
        writer.write(connections[name], stamp, data)
        count += 1
    writer.close()
    broken = folder.parent / f".broken-{folder.name}"
    folder.rename(broken)
    staged.rename(folder)
    shutil.rmtree(broken, ignore_errors=True)
    shutil.rmtree(staging_root, ignore_errors=True)
    return count


def recover_all(output: Path, skip: set[str] | None = None) -> list[str]:
    """Recover every incomplete bag directly under `output`; a note per bag (recovered or not)."""
    notes: list[str] = []
    try:
        children = sorted(p for p in output.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return notes
    for folder in children:
        if (skip and folder.name in skip) or not needs_recovery(folder):
            continue
        try:
            notes.append(f"recovered the bag {folder.name} cut short earlier ({recover(folder)} messages)")
        except Exception as exc:
            notes.append(f"could not recover the bag {folder.name}: {exc}")
    return notes
