"""The recorder's decisions (recording/session.py): start on the monitor topic, append within the
timeout, close at once on a model change, stop_logging pauses restarts, the modes and the disk floor."""

from __future__ import annotations

from recording.session import Action, RecordingSession

A, B = "/art/racer-a/model.xml", "/art/racer-b/model.xml"


def started(mode: str = "Always") -> RecordingSession:
    session = RecordingSession(mode, timeout_s=15.0, pause_s=10.0)
    session.model_changed(A, 0.0)
    assert session.monitor_message(1.0).action is Action.OPEN
    return session


def test_the_monitor_topic_opens_one_bag_and_keeps_it_while_it_flows() -> None:
    session = started()
    assert session.state.bag_model_path == A and session.state.status == "recording"
    for t in range(2, 40):
        assert session.monitor_message(float(t)).action is Action.NONE
        assert session.tick(t + 0.5).action is Action.NONE


def test_a_restart_within_the_timeout_appends_and_a_longer_pause_closes() -> None:
    session = started()
    assert session.tick(15.9).action is Action.NONE           # 14.9 s quiet: same bag
    assert session.monitor_message(16.0).action is Action.NONE
    assert session.tick(30.9).action is Action.NONE
    decision = session.tick(31.0)                              # 15 s without a monitor message
    assert decision.action is Action.CLOSE and "15 s" in decision.reason
    assert session.monitor_message(31.5).action is Action.OPEN  # the next run: a new bag


def test_a_model_change_closes_at_once_and_the_same_model_does_not() -> None:
    session = started()
    assert session.model_changed(A, 2.0).action is Action.NONE  # reloaded: same bag
    decision = session.model_changed(B, 3.0)
    assert decision.action is Action.CLOSE and decision.reason == "the model changed"
    assert session.monitor_message(3.1).action is Action.OPEN
    assert session.state.bag_model_path == B


def test_stop_closes_and_pauses_restarts_for_ten_seconds() -> None:
    session = started()
    assert session.stop(5.0).action is Action.CLOSE
    assert session.state.status == "paused"
    assert session.monitor_message(14.9).action is Action.NONE
    assert session.monitor_message(15.0).action is Action.OPEN
    assert session.stop(16.0).action is Action.CLOSE
    assert session.stop(16.5).action is Action.NONE            # nothing open: nothing to close


def test_modes() -> None:
    never = RecordingSession("Never")
    assert never.monitor_message(1.0).action is Action.NONE and never.state.status == "disabled"
    usb_only = RecordingSession("USBOnly")
    assert usb_only.monitor_message(1.0).action is Action.NONE
    assert usb_only.output_changed(True, 2.0).action is Action.NONE
    assert usb_only.monitor_message(2.5).action is Action.OPEN
    decision = usb_only.output_changed(False, 3.0)              # the stick went: close where it was
    assert decision.action is Action.CLOSE
    assert usb_only.monitor_message(3.5).action is Action.NONE
    always = started("Always")
    assert always.output_changed(True, 2.0).action is Action.CLOSE  # moves to the stick: a new bag there
    assert always.monitor_message(2.5).action is Action.OPEN


def test_the_free_space_floor_closes_and_blocks_until_there_is_room() -> None:
    session = started()
    decision = session.tick(2.0, disk_low=True)
    assert decision.action is Action.CLOSE and "disk" in decision.reason
    assert session.state.status == "disk_low"
    assert session.monitor_message(2.5).action is Action.NONE
    assert session.tick(3.0, disk_low=False).action is Action.NONE
    assert session.monitor_message(3.5).action is Action.OPEN
