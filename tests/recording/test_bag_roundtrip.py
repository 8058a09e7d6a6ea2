"""A bag written by recording/writer.py is a real rosbag2 bag: read back with the reference MCAP reader
(or sqlite3) and the ROS 2 decoder of mcap-ros2-support, every field of every message is what rclpy
serialised, the stamps and counts are those written and in metadata.yaml, the stored definitions are
the installed .msg files and the type hashes those of the interface build."""

from __future__ import annotations

from pathlib import Path

import pytest
from rclpy.serialization import serialize_message

from recording.writer import BagWriter, TopicInfo
from tests.recording import bagcheck, messages

RESULTS = "/inference_pkg/rl_results"
STATUS = "/device_info_pkg/device_status"
RESULTS_TYPE = "deepracer_interfaces_pkg/msg/InferResultsArray"
STATUS_TYPE = "deepracer_interfaces_pkg/msg/DeviceStatusMsg"


def write_bag(folder: Path, provider: str, frames: int = 40) -> dict[str, list[tuple[int, object]]]:
    written: dict[str, list[tuple[int, object]]] = {RESULTS: [], STATUS: []}
    writer = BagWriter(folder, provider)
    writer.open()
    writer.add_topic(TopicInfo(RESULTS, RESULTS_TYPE, reliable=True))
    writer.add_topic(TopicInfo(STATUS, "deepracer_interfaces_pkg/DeviceStatusMsg"))
    for i in range(frames):
        stamp = 1_780_000_000_000_000_000 + i * 33_333_333
        msg = messages.results(i)
        writer.write(RESULTS, stamp, serialize_message(msg))
        written[RESULTS].append((stamp, msg))
        if i % 10 == 0:
            status = messages.device_status(i)
            writer.write(STATUS, stamp + 1, serialize_message(status))
            written[STATUS].append((stamp + 1, status))
        if i == frames // 2:
            writer.flush()
    writer.close()
    return written


@pytest.mark.parametrize("provider", ["mcap", "sqlite3"])
def test_every_field_stamp_count_and_definition_reads_back(tmp_path: Path, provider: str) -> None:
    folder = tmp_path / "racer1-model-20260530-123456"
    written = write_bag(folder, provider)
    info = bagcheck.metadata(folder)
    assert info["storage_identifier"] == provider and info["version"] == 9
    assert info["message_count"] == 44
    topics = {t["topic_metadata"]["name"]: t for t in info["topics_with_message_count"]}
    assert {name: t["message_count"] for name, t in topics.items()} == {RESULTS: 40, STATUS: 4}
    assert topics[RESULTS]["topic_metadata"]["type"] == RESULTS_TYPE
    assert topics[STATUS]["topic_metadata"]["type"] == STATUS_TYPE
    for name, type_name in ((RESULTS, RESULTS_TYPE), (STATUS, STATUS_TYPE)):
        assert topics[name]["topic_metadata"]["serialization_format"] == "cdr"
        assert topics[name]["topic_metadata"]["type_description_hash"] == bagcheck.installed_hash(type_name)
    assert info["starting_time"]["nanoseconds_since_epoch"] == written[RESULTS][0][0]
    assert info["duration"]["nanoseconds"] == written[RESULTS][-1][0] - written[RESULTS][0][0]

    stored = bagcheck.read_bag(folder)
    by_topic: dict[str, list[bagcheck.Stored]] = {RESULTS: [], STATUS: []}
    for item in stored:
        by_topic[item.topic].append(item)
    for name, type_name in ((RESULTS, RESULTS_TYPE), (STATUS, STATUS_TYPE)):
        assert len(by_topic[name]) == len(written[name])
        for item, (stamp, original) in zip(by_topic[name], written[name], strict=True):
            assert item.type_name == type_name
            assert item.log_time == stamp
            assert bagcheck.plain(item.decoded) == bagcheck.plain(original)
        bagcheck.check_definition(type_name, by_topic[name][0].definition)
    # the image layout of the interface package as built (community dialect: CompressedImage JPEG)
    first = by_topic[RESULTS][0].decoded.images[0]
    assert (first.header.stamp.sec, first.header.stamp.nanosec) == (messages.BASE_SEC, 0)
    assert len(by_topic[RESULTS][0].decoded.results) == 5


def test_the_console_reader_gives_frames_in_order(tmp_path: Path) -> None:
    from recording.bags import bag_info, frames

    folder = tmp_path / "racer1-model-20260530-123456"
    write_bag(folder, "mcap", frames=12)
    info = bag_info(folder)
    assert info is not None and info.complete and info.frames == 12 and info.model == "racer1-model"
    got = list(frames(folder))
    assert [f.index for f in got] == list(range(12))
    assert got[3].stamp == pytest.approx(messages.BASE_SEC + 3 / 30, abs=1e-6)
    assert all(f.jpeg[:2] == b"\xff\xd8" for f in got)
    assert [label for label, _ in got[0].results] == [0, 1, 2, 3, 4]
    assert sum(p for _, p in got[0].results) == pytest.approx(1.0, abs=1e-5)
