"""/logging_pkg/bag_log_node in its own process: the monitor topic starts a bag named after the model
folder, a model change closes it at once, a quiet monitor topic closes it after the timeout, and
stop_logging answers only once the bag is complete (metadata.yaml written); what it recorded reads
back field for field with the independent reader."""

from __future__ import annotations

import json
import time
from pathlib import Path

from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy

from tests.recording import bagcheck, messages
from tests.support.ros import RosTestNode, wait_until

RESULTS = "/inference_pkg/rl_results"


def bags(output: Path) -> list[Path]:
    return sorted(p for p in output.iterdir() if p.is_dir()) if output.exists() else []


def test_recording_follows_the_monitor_topic_and_the_model(tmp_path: Path, start_node, ros_node: RosTestNode) -> None:
    from deepracer_interfaces_pkg.msg import InferResultsArray, ServoCtrlMsg
    from std_msgs.msg import String
    from std_srvs.srv import Trigger

    state, output = tmp_path / "state", tmp_path / "bags"
    state.mkdir()
    node = start_node("logging_pkg.bag_log_node", env={"DEEPRACER_STATE_DIR": str(state)},
                      ros_args=["-p", f"output_path:={output}", "-p", "monitor_topic_timeout:=2",
                                "-p", "min_free_mb:=1"])
    latched = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)
    model = ros_node.node.create_publisher(String, "/inference_pkg/model_artifact", latched)
    drive = ros_node.node.create_publisher(ServoCtrlMsg, "/deepracer_navigation_pkg/auto_drive", 1)
    results = ros_node.node.create_publisher(InferResultsArray, RESULTS, 1)
    model.publish(String(data=str(tmp_path / "artifacts" / "racer1-fast" / "model.xml")))
    sent = [0]

    def step() -> None:
        results.publish(messages.results(sent[0]))
        drive.publish(ServoCtrlMsg(angle=0.1, throttle=0.5))
        sent[0] += 1

    def recorded_some(prefix: str) -> Path | None:
        step()
        found = [b for b in bags(output) if b.name.startswith(prefix)]
        status = json.loads((state / "run" / "recorder.json").read_text()) if (state / "run" / "recorder.json").exists() else {}
        return found[0] if found and status.get("status") == "recording" else None

    first = wait_until(lambda: recorded_some("racer1-fast-"), 30, "a bag named after the first model")
    assert bagcheck.split_ok(first.name)
    for _ in range(20):
        step()
    # another model: the first bag is complete at once, the next monitor message opens a new one
    model.publish(String(data=str(tmp_path / "artifacts" / "racer2-slow" / "model.xml")))
    wait_until(lambda: (first / "metadata.yaml").exists(), 10, "the first bag to close on the model change")
    second = wait_until(lambda: recorded_some("racer2-slow-"), 10, "a bag for the second model")
    for _ in range(30):
        step()
    reply = ros_node.call(Trigger, "/logging_pkg/stop_logging", timeout=20)
    assert reply.success is True and "complete" in reply.message
    assert (second / "metadata.yaml").exists()        # complete before the answer, as DREM tars right after
    for folder in (first, second):
        stored = [s for s in bagcheck.read_bag(folder) if s.topic == RESULTS]
        assert stored and bagcheck.metadata(folder)["message_count"] >= len(stored)
        sent_index = [round((s.decoded.images[0].header.stamp.nanosec / 1e9 + s.decoded.images[0].header.stamp.sec
                             - messages.BASE_SEC) * 30) for s in stored]
        assert sent_index == sorted(sent_index) and len(set(sent_index)) == len(sent_index)
        for item, i in zip(stored, sent_index, strict=True):
            assert bagcheck.plain(item.decoded) == bagcheck.plain(messages.results(i))
        bagcheck.check_definition("deepracer_interfaces_pkg/msg/InferResultsArray", stored[0].definition)
    status = json.loads((state / "run" / "recorder.json").read_text())
    assert status["status"] == "paused" and status["bag"] == ""
    assert node.proc.poll() is None


def test_a_quiet_monitor_topic_closes_the_bag_after_the_timeout(tmp_path: Path, start_node,
                                                              ros_node: RosTestNode) -> None:
    from deepracer_interfaces_pkg.msg import ServoCtrlMsg

    state, output = tmp_path / "state", tmp_path / "bags"
    state.mkdir()
    start_node("logging_pkg.bag_log_node", env={"DEEPRACER_STATE_DIR": str(state)},
               ros_args=["-p", f"output_path:={output}", "-p", "monitor_topic_timeout:=2", "-p", "min_free_mb:=1",
                         "-p", "log_topics:=['/device_info_pkg/device_status']"])
    drive = ros_node.node.create_publisher(ServoCtrlMsg, "/deepracer_navigation_pkg/auto_drive", 1)

    def opened() -> Path | None:
        drive.publish(ServoCtrlMsg(angle=0.0, throttle=0.2))
        found = bags(output)
        return found[0] if found else None

    bag = wait_until(opened, 30, "a bag to open while auto_drive flows")
    assert bag.name.startswith("deepracer-")         # no model announced: the community's default name
    assert not (bag / "metadata.yaml").exists()
    wait_until(lambda: (bag / "metadata.yaml").exists(), 15, "the bag to close 2 s after auto_drive stopped")
    assert len(bags(output)) == 1
    info = bagcheck.metadata(bag)        # nothing was recorded: an empty bag that starts when it was opened
    assert info["message_count"] == 0 and abs(info["starting_time"]["nanoseconds_since_epoch"] / 1e9 - time.time()) < 120
