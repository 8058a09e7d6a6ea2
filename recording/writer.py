"""One rosbag2 bag being written: CDR bytes in, a bag folder that rosbag2 (and any reader) opens out.

The container is written by the `rosbags` library (rosbag2 format version 9, storage `mcap` or
`sqlite3`, `metadata.yaml` on close); each topic's definition is the installed `.msg` texts as
rosbag2 stores them and its type hash the one the interface build computed (`typedefs`). What a crash would lose is bounded: `flush()` (the recorder
calls it every second) closes the pending MCAP chunk and writes it to the file, or commits the
SQLite transaction, so at most the last second is lost and `recovery` rebuilds the rest.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recording.config import PROVIDERS
from recording.typedefs import full_definition, installed_type_hash, normalize, typestore_for


class BagWriteError(RuntimeError):
    pass


@dataclass(frozen=True)
class TopicInfo:
    name: str
    type_name: str                      # pkg/msg/Name
    reliable: bool = False
    transient_local: bool = False


def _qos(topic: TopicInfo) -> Any:
    from rosbags.interfaces import (
        Qos,
        QosDurability,
        QosHistory,
        QosLiveliness,
        QosReliability,
        QosTime,
    )

    infinite = QosTime(sec=0x7FFFFFFF, nsec=0xFFFFFFFF)
    return Qos(history=QosHistory.KEEP_LAST, depth=1,
               reliability=QosReliability.RELIABLE if topic.reliable else QosReliability.BEST_EFFORT,
               durability=QosDurability.TRANSIENT_LOCAL if topic.transient_local else QosDurability.VOLATILE,
               deadline=infinite, lifespan=infinite, liveliness=QosLiveliness.AUTOMATIC,
               liveliness_lease_duration=infinite, avoid_ros_namespace_conventions=False)


class BagWriter:
    """`open()`, `add_topic()` for each topic (any time), `write()`, `flush()`, `close()`."""

    def __init__(self, folder: Path, provider: str = "mcap") -> None:
        if provider not in PROVIDERS:
            raise BagWriteError(f"unknown storage provider {provider!r} (use {' or '.join(PROVIDERS)})")
        self.folder = folder
        self.provider = provider
        self._writer: Any = None
        self._connections: dict[str, Any] = {}
        self.counts: dict[str, int] = {}
        self.bytes_written = 0
        self.opened_ns = 0

    @property
    def is_open(self) -> bool:
        return self._writer is not None

    def open(self) -> None:
        from rosbags.rosbag2 import StoragePlugin, Writer

        plugin = StoragePlugin.MCAP if self.provider == "mcap" else StoragePlugin.SQLITE3
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        writer = Writer(self.folder, version=9, storage_plugin=plugin)
        try:
            writer.open()
        except Exception as exc:
            raise BagWriteError(f"cannot create the bag {self.folder}: {exc}") from exc
        self._writer = writer
        self.opened_ns = time.time_ns()

    def has_topic(self, name: str) -> bool:
        return name in self._connections

    def add_topic(self, topic: TopicInfo, search: list[Path] | None = None) -> None:
        if self._writer is None:
            raise BagWriteError("the bag is not open")
        type_name = normalize(topic.type_name)
        # the installed .msg texts verbatim (as rosbag2 stores them) and the build's own type hash
        msgdef = full_definition(type_name, search)
        rihs01 = installed_type_hash(type_name, search) or typestore_for([type_name], search).hash_rihs01(type_name)
        self._connections[topic.name] = self._writer.add_connection(
            topic.name, type_name, msgdef=msgdef, rihs01=rihs01, serialization_format="cdr",
            offered_qos_profiles=[_qos(topic)])
        self.counts[topic.name] = 0

    def write(self, topic: str, stamp_ns: int, data: bytes | memoryview) -> None:
        if self._writer is None:
            raise BagWriteError("the bag is not open")
        self._writer.write(self._connections[topic], stamp_ns, data)
        self.counts[topic] += 1
        self.bytes_written += len(data)

    def flush(self) -> None:
        """Put everything written so far into the storage file (see the module docstring)."""
        storage = getattr(self._writer, "storage", None)
        if storage is None:
            return
        if self.provider == "mcap":
            if storage.chunk.bio.tell():
                storage.close_chunk()
            storage.bio.flush()
        else:
            storage.conn.commit()

    def close(self) -> None:
        """Close the storage file and write `metadata.yaml` (the bag is complete when this returns)."""
        writer, self._writer = self._writer, None
        if writer is None:
            return
        if not sum(self.counts.values()):   # no message: start the (empty) bag when it was opened
            writer.min_timestamp = writer.max_timestamp = self.opened_ns
        writer.close()
        for path in (self.folder / "metadata.yaml", self.folder):
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def abort(self) -> None:
        """Give up on the bag (the storage is closed as it is; `recovery` can rebuild its metadata)."""
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer.abort()
            except Exception:
                pass
