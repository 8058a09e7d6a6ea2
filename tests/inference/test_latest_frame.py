"""Latest-frame-wins: the inference worker only ever gets the newest frame; older waiting frames are dropped."""

from __future__ import annotations

import threading

from inference.latest import LatestSlot


def test_newest_frame_replaces_the_waiting_one() -> None:
    slot: LatestSlot[int] = LatestSlot()
    for frame in range(5):
        slot.put(frame)
    assert slot.take(timeout=0) == 4
    assert slot.take(timeout=0) is None  # no queue of stale frames behind it
    assert slot.received == 5 and slot.dropped == 4


def test_worker_busy_during_a_burst_gets_only_the_last_frame() -> None:
    slot: LatestSlot[int] = LatestSlot()
    got: list[int] = []
    busy = threading.Event()
    release = threading.Event()

    def worker() -> None:
        while True:
            item = slot.take(timeout=5)
            if item is None:
                return
            got.append(item)
            if item == 0:
                busy.set()
                release.wait(5)  # a slow inference

    thread = threading.Thread(target=worker)
    thread.start()
    slot.put(0)
    assert busy.wait(5)
    for frame in range(1, 10):  # frames arriving while the worker is busy
        slot.put(frame)
    release.set()
    slot.close()
    thread.join(5)
    assert got == [0, 9]
    assert slot.dropped == 8


def test_clear_and_close() -> None:
    slot: LatestSlot[str] = LatestSlot()
    slot.put("stale")
    slot.clear()
    assert slot.take(timeout=0) is None
    slot.close()
    assert slot.take(timeout=None) is None
