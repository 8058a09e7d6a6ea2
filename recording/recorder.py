"""The recorder behind `/logging_pkg/bag_log_node`: decisions in the caller's thread, disk work in one
writer thread, so no ROS callback ever waits for the disk.

The node calls `message()` from its subscriptions (raw CDR bytes, cheap: one queue put while a bag is
open, nothing otherwise), `monitor_message()`, `model_changed()`, `tick()` once a second, `stop()` for
`stop_logging` (its `done` callback runs on the writer thread once the bag is complete on disk).
`status()` (also written to `<state>/run/recorder.json` when it changes, for the console) says what it
is doing and why not, e.g. the free-space floor.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recording.naming import bag_folder_name
from recording.session import Action, Decision, RecordingSession
from recording.writer import BagWriter, TopicInfo

QUEUE_LIMIT = 600                 # messages waiting for the disk (20 s at 30 fps); beyond, new ones are dropped
FLUSH_PERIOD_S = 1.0

Log = Callable[[str, str], None]   # (level, message)


@dataclass
class _Item:
    kind: str                       # msg | open | close | flush | quit
    topic: str = ""
    type_name: str = ""
    stamp: int = 0
    data: bytes = b""
    folder: Path | None = None
    provider: str = ""
    reason: str = ""
    done: Callable[[bool, str], None] | None = None


class Recorder:
    def __init__(self, output: Path, provider: str, mode: str, timeout_s: float, pause_s: float,
                 min_free_mb: float, log: Log, status_file: Path | None = None) -> None:
        self.output = output
        self.provider = provider
        self.min_free_mb = min_free_mb
        self.session = RecordingSession(mode, timeout_s=timeout_s, pause_s=pause_s)
        self.log = log
        self.status_file = status_file
        self._lock = threading.Lock()
        self._status_lock = threading.Lock()       # the status file is written from two threads
        self._queue: queue.Queue[_Item] = queue.Queue()
        self._open = False             # the writer thread will write messages (set in the caller's thread)
        self._bag: str = ""
        self._last_error = ""
        self._dropped = 0
        self._current: BagWriter | None = None    # the writer thread's open bag (read for status only)
        self._last_status: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._run, name="bag-writer", daemon=True)
        self._thread.start()

    # -- events (any thread but the writer's) ---------------------------------------------------
    def message(self, topic: str, type_name: str, data: bytes) -> None:
        if not self._open:
            return
        if self._queue.qsize() >= QUEUE_LIMIT:
            self._dropped += 1
            return
        self._queue.put(_Item("msg", topic=topic, type_name=type_name, stamp=time.time_ns(), data=data))

    def monitor_message(self, now: float | None = None) -> None:
        with self._lock:
            if not self.session.state.recording:
                # about to open a bag: the free-space floor is checked now, not at the next tick (a monitor
                # message arriving before the first tick opened a bag on a full disk)
                self.session.state.disk_low = self._disk_low()
            self._apply(self.session.monitor_message(time.monotonic() if now is None else now))

    def model_changed(self, path: str, now: float | None = None) -> None:
        with self._lock:
            self._apply(self.session.model_changed(path, time.monotonic() if now is None else now))

    def tick(self, now: float | None = None) -> None:
        with self._lock:
            self._apply(self.session.tick(time.monotonic() if now is None else now, disk_low=self._disk_low()))
            if self._open:
                self._queue.put(_Item("flush"))
        self._publish_status()

    def stop(self, done: Callable[[bool, str], None], now: float | None = None) -> None:
        """Close the bag (if any) and pause restarts; `done(success, message)` once it is on disk."""
        with self._lock:
            decision = self.session.stop(time.monotonic() if now is None else now)
            if decision.action is Action.CLOSE:
                self._apply(decision, done)
            else:
                self._queue.put(_Item("flush", done=done, reason="no recording was running"))

    def set_output(self, output: Path, on_usb: bool) -> None:
        with self._lock:
            if output == self.output and on_usb == self.session.on_usb:
                return
            self._apply(self.session.output_changed(on_usb, time.monotonic()))
            self.output = output
        self.log("info", f"bags go to {output}")
        self._publish_status()

    def configure(self, mode: str, provider: str) -> None:
        with self._lock:
            self.session.mode = mode
            self.provider = provider
            self._apply(self.session.tick(time.monotonic(), disk_low=self.session.state.disk_low))
        self._publish_status()

    def close(self, timeout: float = 5.0) -> None:
        with self._lock:
            self._open = False
            self._queue.put(_Item("close", reason="the recorder stops"))
            self._queue.put(_Item("quit"))
        self._thread.join(timeout)

    # -- state ---------------------------------------------------------------------------------
    def _apply(self, decision: Decision, done: Callable[[bool, str], None] | None = None) -> None:
        """Called with the lock held."""
        if decision.action is Action.OPEN:
            name = bag_folder_name(self.session.state.bag_model_path)
            self._bag = name
            self._open = True
            self._queue.put(_Item("open", folder=self.output / name, provider=self.provider))
        elif decision.action is Action.CLOSE:
            self._open = False
            self._queue.put(_Item("close", reason=decision.reason, done=done))

    def _disk_low(self) -> bool:
        try:
            free = shutil.disk_usage(self.output if self.output.exists() else self.output.parent).free
        except OSError:
            return False
        low = free < self.min_free_mb * 1024 * 1024
        if low and not self.session.state.disk_low:
            self.log("warn", f"less than {self.min_free_mb:g} MB free in {self.output}: recording stops")
        elif not low and self.session.state.disk_low:
            self.log("info", f"free space in {self.output} is back above {self.min_free_mb:g} MB")
        return low

    def status(self) -> dict[str, Any]:
        state = self.session.state
        return {
            "status": state.status,
            "why_not": self.session.allowed(),
            "bag": self._bag if self._open else "",
            "output_path": str(self.output),
            "on_usb": self.session.on_usb,
            "mode": self.session.mode,
            "provider": self.provider,
            "min_free_mb": self.min_free_mb,
            "disk_low": state.disk_low,
            "counts": dict(self._current.counts) if (self._current is not None and self._open) else {},
            "dropped": self._dropped,
            "last_error": self._last_error,
        }

    def _publish_status(self) -> None:
        with self._status_lock:
            self._write_status()

    def _write_status(self) -> None:
        current = self.status()
        if current == self._last_status or self.status_file is None:
            return
        self._last_status = current
        try:  # replaced in one rename (no fsync: a status, rewritten every second while recording)
            self.status_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.status_file.with_name(f".{self.status_file.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(current, indent=1))
            os.replace(tmp, self.status_file)
        except OSError as exc:
            self.log("warn", f"cannot write {self.status_file}: {exc}")

    # -- the writer thread -----------------------------------------------------------------------
    def _run(self) -> None:
        writer: BagWriter | None = None
        last_flush = time.monotonic()
        while True:
            item = self._queue.get()
            try:
                if item.kind == "quit":
                    return
                if item.kind == "open":
                    self._finish(writer, "a new bag opens")
                    writer = self._start(item)
                elif item.kind == "msg" and writer is not None:
                    if not writer.has_topic(item.topic):
                        writer.add_topic(TopicInfo(item.topic, item.type_name))
                    writer.write(item.topic, item.stamp, item.data)
                    if time.monotonic() - last_flush > FLUSH_PERIOD_S * 2:
                        writer.flush()
                        last_flush = time.monotonic()
                elif item.kind == "flush":
                    if writer is not None:
                        writer.flush()
                        last_flush = time.monotonic()
                    if item.done:
                        item.done(True, f"Logging stopped ({item.reason})")
                elif item.kind == "close":
                    self._finish(writer, item.reason)
                    writer = None
                    if item.done:
                        item.done(True, "Logging stopped, the bag is complete")
            except Exception as exc:
                self._fail(writer, exc)
                writer = None
                if item.done:
                    item.done(False, f"Logging stopped with an error: {exc}")
            self._current = writer
            if item.kind != "msg":
                self._publish_status()

    def _start(self, item: _Item) -> BagWriter | None:
        assert item.folder is not None
        writer = BagWriter(item.folder, item.provider)
        writer.open()
        self.log("info", f"recording to {item.folder} ({item.provider})")
        return writer

    def _finish(self, writer: BagWriter | None, reason: str) -> None:
        if writer is None:
            return
        writer.close()
        self.log("info", f"bag {writer.folder.name} closed ({reason}): "
                 + ", ".join(f"{topic} {count}" for topic, count in writer.counts.items()))
        return None

    def _fail(self, writer: BagWriter | None, exc: Exception) -> None:
        self._last_error = str(exc)
        self.log("error", f"recording failed: {exc}")
        if writer is not None:
            writer.abort()
        with self._lock:
            self._open = False
            self.session.recording_failed(time.monotonic())
