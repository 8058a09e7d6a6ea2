"""The recorder's decisions, with no I/O: when a bag opens, keeps going, closes, and when not.

Fed with what the node observes (a monitor message, the model path, a tick of the clock, a stop
request, the output folder and free space), it answers with what to do. As the community recorder:
- a monitor-topic message starts a recording (when the mode allows one at the current output);
- the bag stays open while the monitor topic flows; after `timeout_s` without a message it closes, so
  a car restarted with the same model within the timeout carries on in the same bag;
- a different model closes the bag at once (the next monitor message opens a new one);
- `stop()` closes it and no recording starts for `pause_s` (the fleet manager is fetching the bags);
- below the free-space floor the bag closes and none opens until there is room again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Action(Enum):
    NONE = "none"
    OPEN = "open"
    CLOSE = "close"


@dataclass
class Decision:
    action: Action
    reason: str = ""


@dataclass
class SessionState:
    recording: bool = False
    model_path: str = ""
    bag_model_path: str = ""
    last_monitor: float | None = None
    paused_until: float = 0.0
    disk_low: bool = False
    status: str = "idle"       # idle | recording | paused | disk_low | disabled


class RecordingSession:
    def __init__(self, mode: str, timeout_s: float = 15.0, pause_s: float = 10.0) -> None:
        self.mode = mode
        self.timeout_s = timeout_s
        self.pause_s = pause_s
        self.state = SessionState()
        self.on_usb = False

    # -- what may record ---------------------------------------------------------------------
    def allowed(self) -> str | None:
        """None when recording is allowed now, else why not."""
        if self.mode == "Never":
            return "logging mode is Never"
        if self.mode == "USBOnly" and not self.on_usb:
            return "logging mode is USBOnly and no USB stick with a logs folder is mounted"
        if self.state.disk_low:
            return "not enough free disk space"
        return None

    def _set_status(self, now: float) -> None:
        s = self.state
        if s.recording:
            s.status = "recording"
        elif s.disk_low:
            s.status = "disk_low"
        elif self.allowed() is not None:
            s.status = "disabled"
        elif now < s.paused_until:
            s.status = "paused"
        else:
            s.status = "idle"

    # -- events ------------------------------------------------------------------------------
    def monitor_message(self, now: float) -> Decision:
        s = self.state
        s.last_monitor = now
        decision = Decision(Action.NONE)
        if not s.recording and now >= s.paused_until and self.allowed() is None:
            s.recording = True
            s.bag_model_path = s.model_path
            decision = Decision(Action.OPEN, "the monitor topic is flowing")
        self._set_status(now)
        return decision

    def model_changed(self, path: str, now: float) -> Decision:
        s = self.state
        previous, s.model_path = s.model_path, path
        decision = Decision(Action.NONE)
        if s.recording and path != previous and path != s.bag_model_path:
            s.recording = False
            decision = Decision(Action.CLOSE, "the model changed")
        self._set_status(now)
        return decision

    def tick(self, now: float, disk_low: bool = False) -> Decision:
        s = self.state
        s.disk_low = disk_low
        decision = Decision(Action.NONE)
        if s.recording:
            if disk_low:
                s.recording = False
                decision = Decision(Action.CLOSE, "not enough free disk space")
            elif self.allowed() is not None:
                s.recording = False
                decision = Decision(Action.CLOSE, self.allowed() or "")
            elif s.last_monitor is None or now - s.last_monitor >= self.timeout_s:
                s.recording = False
                decision = Decision(Action.CLOSE, f"no message on the monitor topic for {self.timeout_s:g} s")
        self._set_status(now)
        return decision

    def stop(self, now: float) -> Decision:
        s = self.state
        s.paused_until = now + self.pause_s
        decision = Decision(Action.CLOSE, "stop_logging") if s.recording else Decision(Action.NONE)
        s.recording = False
        self._set_status(now)
        return decision

    def output_changed(self, on_usb: bool, now: float) -> Decision:
        """The output folder moved (a USB stick came or went): the open bag closes where it is."""
        s = self.state
        self.on_usb = on_usb
        decision = Decision(Action.NONE)
        if s.recording:
            s.recording = False
            decision = Decision(Action.CLOSE, "the output folder changed")
        self._set_status(now)
        return decision

    def recording_failed(self, now: float) -> None:
        self.state.recording = False
        self._set_status(now)
