"""The bags on disk, for the console: list, replay frames, archive, delete.

A bag is a direct sub-folder of the output folder holding a storage file (`*.mcap` or `*.db3`);
it is complete once `metadata.yaml` is there. Replay reads `/inference_pkg/rl_results` with the
type definitions stored in the bag (rosbags' reader), whichever layout the images have
(`sensor_msgs/CompressedImage` JPEG, or raw `sensor_msgs/Image`, encoded to JPEG here).
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from recording.naming import split_bag_name
from recording.recovery import storage_file

RESULTS_TOPIC = "/inference_pkg/rl_results"
_NAME_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


class BagError(LookupError):
    pass


@dataclass
class BagInfo:
    name: str
    model: str
    start: float | None          # epoch seconds
    duration_s: float
    frames: int                  # messages on /inference_pkg/rl_results
    messages: int
    size_bytes: int
    storage: str
    complete: bool               # metadata.yaml written (False while recording or after a crash)
    topics: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def check_name(name: str) -> str:
    if not name or name.startswith(".") or not set(name) <= _NAME_OK:
        raise BagError(f"not a bag name: {name!r}")
    return name


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def bag_info(folder: Path) -> BagInfo | None:
    source = storage_file(folder)
    if source is None:
        return None
    split = split_bag_name(folder.name)
    model = split[0] if split else ""
    meta_path = folder / "metadata.yaml"
    if meta_path.exists():
        try:
            meta = yaml.safe_load(meta_path.read_text())["rosbag2_bagfile_information"]
            topics = {t["topic_metadata"]["name"]: int(t["message_count"]) for t in meta["topics_with_message_count"]}
            start_ns = int(meta["starting_time"]["nanoseconds_since_epoch"])
            return BagInfo(name=folder.name, model=model, start=start_ns / 1e9 if topics else None,
                           duration_s=int(meta["duration"]["nanoseconds"]) / 1e9,
                           frames=topics.get(RESULTS_TOPIC, 0), messages=int(meta["message_count"]),
                           size_bytes=_size(folder), storage=str(meta["storage_identifier"]), complete=True,
                           topics=topics)
        except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError):
            pass
    start = None
    if split:
        try:
            start = time.mktime(time.strptime(split[1], "%Y%m%d-%H%M%S"))
        except ValueError:
            start = None
    return BagInfo(name=folder.name, model=model, start=start, duration_s=0.0, frames=0, messages=0,
                   size_bytes=_size(folder), storage="mcap" if source.suffix == ".mcap" else "sqlite3",
                   complete=False)


def list_bags(output: Path) -> list[BagInfo]:
    """Newest first."""
    try:
        children = [p for p in output.iterdir() if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        return []
    found = [info for info in (bag_info(p) for p in children) if info is not None]
    return sorted(found, key=lambda b: (b.start or 0.0, b.name), reverse=True)


def bag_folder(output: Path, name: str) -> Path:
    folder = output / check_name(name)
    if not folder.is_dir() or storage_file(folder) is None:
        raise BagError(f"no bag named {name}")
    return folder


def delete_bag(output: Path, name: str) -> None:
    folder = bag_folder(output, name)
    trash = folder.with_name(f".deleted-{folder.name}")
    folder.rename(trash)
    shutil.rmtree(trash, ignore_errors=True)


def archive(output: Path, name: str) -> Iterator[bytes]:
    """The bag as `<name>/...` in a .tar.gz, produced piece by piece."""
    folder = bag_folder(output, name)

    class _Sink(io.RawIOBase):
        def __init__(self) -> None:
            self.parts: list[bytes] = []

        def writable(self) -> bool:
            return True

        def write(self, data: Any) -> int:
            self.parts.append(bytes(data))
            return len(data)

    sink = _Sink()
    with tarfile.open(fileobj=sink, mode="w|gz") as tar:
        tar.add(folder, arcname=name, recursive=False)
        for path in sorted(folder.rglob("*")):
            tar.add(path, arcname=f"{name}/{path.relative_to(folder)}", recursive=False)
            if sink.parts:
                yield b"".join(sink.parts)
                sink.parts.clear()
    if sink.parts:
        yield b"".join(sink.parts)


# -- replay -----------------------------------------------------------------------------------

@dataclass
class Frame:
    index: int
    stamp: float                 # the image's capture time (header.stamp), else the recording time
    results: list[tuple[int, float]]
    jpeg: bytes


def _jpeg(image: Any) -> bytes:
    if hasattr(image, "format"):                  # sensor_msgs/CompressedImage
        data = bytes(image.data)
        if "jpeg" in str(image.format).lower() or data[:2] == b"\xff\xd8":
            return data
        import cv2
        import numpy as np

        decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        return bytes(cv2.imencode(".jpg", decoded)[1]) if decoded is not None else b""
    import cv2

    from perception.images import decode_image

    decoded = decode_image(bytes(image.data), int(image.width), int(image.height), str(image.encoding),
                           int(image.step))
    ok, encoded = cv2.imencode(".jpg", decoded)
    return bytes(encoded) if ok else b""


def _stamp(image: Any, fallback_ns: int) -> float:
    stamp = getattr(getattr(image, "header", None), "stamp", None)
    if stamp is not None and (stamp.sec or stamp.nanosec):
        return int(stamp.sec) + int(stamp.nanosec) / 1e9
    return fallback_ns / 1e9


def frames(folder: Path, start: int = 0, count: int | None = None, images: bool = True) -> Iterator[Frame]:
    """The recorded inference results in order (with the first image as JPEG when `images`)."""
    from rosbags.highlevel import AnyReader

    with AnyReader([folder]) as reader:
        connections = [c for c in reader.connections if c.topic == RESULTS_TOPIC]
        if not connections:
            return
        index = -1
        for connection, timestamp, raw in reader.messages(connections=connections):
            index += 1
            if index < start:
                continue
            if count is not None and index >= start + count:
                return
            msg: Any = reader.deserialize(raw, connection.msgtype)
            first = msg.images[0] if len(msg.images) else None
            yield Frame(index=index, stamp=_stamp(first, timestamp) if first is not None else timestamp / 1e9,
                        results=[(int(r.class_label), float(r.class_prob)) for r in msg.results],
                        jpeg=_jpeg(first) if (images and first is not None) else b"")


def action_space(artifacts: Path, model: str) -> list[dict[str, Any]]:
    """The model's discrete actions (steering_angle, speed) from its model_metadata.json, if still there."""
    try:
        data = json.loads((artifacts / check_name(model) / "model_metadata.json").read_text())
    except (OSError, ValueError, BagError):
        return []
    actions = data.get("action_space")
    if not isinstance(actions, list):
        return []
    return [a for a in actions if isinstance(a, dict)]
