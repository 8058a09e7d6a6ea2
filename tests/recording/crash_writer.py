"""Child process for test_recovery: writes FLUSHED messages, flushes, writes more, then dies by SIGKILL
(a real crash: nothing of Python's clean-up runs)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from rclpy.serialization import serialize_message

from recording.writer import BagWriter, TopicInfo
from tests.recording import messages


def main() -> None:
    folder, provider, flushed = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    writer = BagWriter(folder, provider)
    writer.open()
    writer.add_topic(TopicInfo("/inference_pkg/rl_results", "deepracer_interfaces_pkg/msg/InferResultsArray"))
    for i in range(flushed):
        writer.write("/inference_pkg/rl_results", 1_780_000_000_000_000_000 + i, serialize_message(messages.results(i)))
    writer.flush()
    for i in range(flushed, flushed + 5):   # never flushed: may or may not survive
        writer.write("/inference_pkg/rl_results", 1_780_000_000_000_000_000 + i, serialize_message(messages.results(i)))
    print("flushed", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main()
