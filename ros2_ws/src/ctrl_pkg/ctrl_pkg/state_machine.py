"""The ctrl_node's vehicle state machine, without ROS (the node wires `CtrlPorts` to topics/services).

States as the original (`vehicle.modes.DriveMode`): 0 manual, 1 autonomous, 2 calibration, each active or
not. The model-load request is the vehicle contract's `ModelLoadRequest`.

- `set_vehicle_state(s)`: deactivates the current state and switches to `s` (inactive).
- `set_enabled(True)`: explicit start; clears an emergency stop, powers the servo/ESC and (autonomous)
  starts inference. `set_enabled(False)`: stop.
- Stopping any state (stop, mode change, emergency stop): forwarding ends first, then neutral
  (angle 0, throttle 0) is published, inference stopped (autonomous) and the servo power disabled.
- `emergency_stop()`: a latched stop; only an explicit `set_enabled(True)` starts the car again.
- Commands are forwarded only by the active state that owns them: manual_drive and auto_drive to
  servo_msg, calibration_drive to raw_pwm. An autonomous command keeps the capture stamp of its
  camera frame (`ServoCtrlMsg.source_stamp`, community dialect), for the servo node's latency.
- Calibration and tail light services work in calibration mode only (`calibration_refusal`);
  `calibration_problem` / `throttle_problem` check what ctrl forwards to the servo and navigation.
- Model load (autonomous only; a newer request supersedes an older one between steps; the steps are a
  coroutine driven by the answers' done callbacks (`runtime.steps`), so nothing waits in a callback):
  "loading" -> [1/5] inference stop -> [2/5] optimizer -> [3/5] inference load_model ->
  [4/5] navigation load_action_space -> [5/5] inference start = the state's activity -> "loaded";
  any failure -> "error".
- Restarts (the node watches the graph, see `ctrl_pkg.restarts`): a restarted process of the autonomous
  pipeline stops autonomous driving and a restarted console stops any driving (`stop_for_restart`; only
  an explicit start drives again, so a car never moves off by itself after a crash); a restarted
  inference process has lost its model, so the status turns "loading" and the last model loads again
  (`model_lost`, then `reload_if_pending` once every service is back), never "loaded" while nothing runs.
- `intent()` / `restore()`: what the user chose (autonomous mode, the model), saved by the node so a
  restarted ctrl carries on in the same run; it comes back stopped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from calibration.maths import CalibrationError, validate_ordering
from runtime.steps import Pending, ServiceError, run_steps, wait_for
from vehicle.model_load import MODEL_LOAD_ERROR, MODEL_LOADED, MODEL_LOADING, ModelLoadRequest
from vehicle.modes import AUTONOMOUS, CALIBRATION, MANUAL, DriveMode

RELOAD_TRIES = 3   # a model loaded again after a restart: attempts while the services do not answer


class CtrlPorts(Protocol):
    """What the state machine does to the outside world (the node implements these with ROS)."""

    def publish_servo(self, angle: float, throttle: float, stamp_ns: int = 0) -> None:
        """servo_msg; `stamp_ns` = capture time of the command's camera frame (0 = none)."""

    def publish_raw(self, angle: float, throttle: float) -> None: ...

    def request_servo_power(self, enabled: bool) -> None:
        """Fire-and-forget servo_gpio (0 enable / 1 disable)."""

    def request_inference(self, start: bool) -> None:
        """Fire-and-forget inference_state(start, task_type 0)."""

    # the calls of the model-load sequence: they return at once; the answer's error code (the
    # optimizer: artifact path and error) comes later, or ServiceError when unavailable / timed out
    def inference_state(self, start: bool) -> Pending[int]: ...

    def optimize_model(self, request: ModelLoadRequest) -> Pending[tuple[str, int]]: ...

    def load_model(self, artifact_path: str, pre_process_type: int, action_space_type: int) -> Pending[int]: ...

    def load_action_space(self, artifact_path: str, pre_process_type: int, action_space_type: int) -> Pending[int]: ...


Log = Callable[[str, str], None]   # (level "info"|"warn"|"error", message)
Spawn = Callable[[Callable[[], object]], None]   # starts a load sequence (tests: at a moment they choose)


def _now(start: Callable[[], object]) -> None:
    start()


class CtrlStateMachine:
    def __init__(self, ports: CtrlPorts, log: Log | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 on_change: Callable[[], None] | None = None) -> None:
        self.ports = ports
        self.log: Log = log or (lambda level, message: None)
        self.clock = clock
        self.on_change = on_change or (lambda: None)  # the mode or the model changed (the node saves intent())
        self._lock = threading.RLock()
        self._state: DriveMode = MANUAL
        self._active = False
        self._estopped = False
        self._model_status = MODEL_LOAD_ERROR
        self._loading = False                                           # a load sequence runs
        self._waiting: tuple[int, ModelLoadRequest] | None = None       # the newest load waiting for it
        self._latest_load = 0
        self._last_request: ModelLoadRequest | None = None
        self._reload_pending = False
        self._reload_sequence = 0   # the reload in flight (tried again when the services do not answer)
        self._reload_tries = 0

    # -- status ------------------------------------------------------------------------------
    @property
    def state(self) -> DriveMode:
        return self._state

    @property
    def active(self) -> bool:
        return self._active

    @property
    def estopped(self) -> bool:
        return self._estopped

    def describe(self) -> str:
        flag = "active" if self._active else "stopped"
        return f"{self._state.label} ({flag}{', EMERGENCY STOP' if self._estopped else ''})"

    # -- transitions -------------------------------------------------------------------------
    def _deactivate(self) -> None:
        """Stop forwarding, then neutral, inference off, servo power off."""
        was_active = self._active
        self._active = False
        self.ports.publish_servo(0.0, 0.0)
        if self._state == AUTONOMOUS:
            self.ports.request_inference(False)
        self.ports.request_servo_power(False)
        if was_active:
            self.log("info", f"{self._state.label} mode stopped: throttle neutral, steering centred")

    def set_vehicle_state(self, state: int) -> int:
        """ActiveStateSrv: error 1 for an unknown state (nothing changes)."""
        with self._lock:
            mode = DriveMode.of(state)
            if mode is None:
                self.log("error", f"vehicle_state: unknown state {state} (0 manual, 1 autonomous, 2 calibration)")
                return 1
            self._deactivate()
            self._state = mode
            self.log("info", f"vehicle state: {self.describe()}")
        self.on_change()
        return 0

    def set_enabled(self, active: bool) -> int:
        """EnableStateSrv: start (clears an emergency stop) or stop the current state."""
        with self._lock:
            if not active:
                self._deactivate()
                return 0
            if self._estopped:
                self.log("warn", "emergency stop cleared by an explicit start")
            self._estopped = False
            self.ports.request_servo_power(True)
            if self._state == MANUAL:
                self.ports.publish_servo(0.0, 0.0)
            elif self._state == AUTONOMOUS:
                self.ports.request_inference(True)
            self._active = True
            self.log("info", f"vehicle state: {self.describe()}")
            return 0

    def emergency_stop(self, source: str = "service") -> str:
        """Latched stop; returns the message for the caller."""
        with self._lock:
            self._deactivate()
            self._estopped = True
        message = (f"emergency stop latched ({source}): throttle neutral, steering centred, servo power off; "
                   "call /ctrl_pkg/enable_state with is_active true to drive again")
        self.log("warn", message)
        return message

    # -- command forwarding ------------------------------------------------------------------
    def _forwarding(self, owner: int) -> bool:
        return self._active and not self._estopped and self._state == owner

    def forward_manual(self, angle: float, throttle: float) -> bool:
        with self._lock:
            if not self._forwarding(MANUAL):
                return False
            self.ports.publish_servo(angle, throttle)
            return True

    def forward_auto(self, angle: float, throttle: float, stamp_ns: int = 0) -> bool:
        """An auto_drive command with the capture time of its camera frame (0 = none)."""
        with self._lock:
            if not self._forwarding(AUTONOMOUS):
                return False
            self.ports.publish_servo(angle, throttle, stamp_ns)
            return True

    def forward_calibration(self, angle: float, throttle: float) -> bool:
        with self._lock:
            if not self._forwarding(CALIBRATION):
                return False
            self.ports.publish_raw(angle, throttle)
            return True

    # -- calibration / LED gating and the checks of ctrl's forwarding services ------------------
    def in_calibration(self) -> bool:
        return self._state == CALIBRATION

    def calibration_refusal(self, what: str) -> str | None:
        """None in calibration mode; else why the calibration or tail light service `what` is refused
        (logged as an error)."""
        if self.in_calibration():
            return None
        message = (f"{what} is only available in calibration mode (vehicle_state 2); "
                   f"the car is in {self.describe()}")
        self.log("error", message)
        return message

    def calibration_problem(self, max_value: int, mid_value: int, min_value: int) -> str | None:
        """set_car_cal: None for an ordering the original accepts; else the reason (logged)."""
        try:
            validate_ordering(max_value, mid_value, min_value)
        except CalibrationError as exc:
            message = f"set_car_cal: calibration rejected: {exc}"
            self.log("error", message)
            return message
        return None

    def throttle_problem(self, throttle: float) -> str | None:
        """autonomous_throttle: None for a maximum speed scale in 0.0..1.0; else the reason (logged)."""
        if 0.0 <= throttle <= 1.0:
            return None
        message = f"autonomous_throttle: {throttle} is outside 0.0..1.0"
        self.log("error", message)
        return message

    # -- model loading -----------------------------------------------------------------------
    def model_loading_status(self) -> str:
        return self._model_status if self._state == AUTONOMOUS else MODEL_LOAD_ERROR

    def start_model_load(self, request: ModelLoadRequest, spawn: Spawn | None = None) -> int:
        """ModelStateSrv: error 1 outside autonomous mode; else the sequence runs in the background."""
        with self._lock:
            if self._state != AUTONOMOUS:
                self.log("error", f"model_state: models load in autonomous mode, not in {self._state.label}")
                return 1
            self._latest_load += 1
            sequence = self._latest_load
            self._model_status = MODEL_LOADING
            self._last_request = request
            self._reload_pending = False
        self.on_change()
        self._spawn_load(sequence, request, spawn)
        return 0

    def _spawn_load(self, sequence: int, request: ModelLoadRequest, spawn: Spawn | None) -> None:
        """Start the sequence now (or through `spawn`, which tests use to choose the moment)."""
        (spawn or _now)(lambda: self.run_model_load(sequence, request))

    def run_model_load(self, sequence: int, request: ModelLoadRequest) -> None:
        """Run load `sequence` once no other load runs (loads are serialised; a newer one waits for the
        step in flight, which then finds itself superseded). Returns at the first step that waits."""
        with self._lock:
            if self._loading:
                if self._waiting is not None:
                    self._superseded(self._waiting[0], "waiting")
                self._waiting = (sequence, request)
                return
            self._loading = True
        run_steps(self._load_steps(sequence, request), on_done=self._load_ended,
                  on_error=lambda exc: self._load_crashed(sequence, exc))

    def _load_ended(self, _loaded: object = None) -> None:
        with self._lock:
            self._loading = False
            waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self.run_model_load(*waiting)

    def _load_crashed(self, sequence: int, exc: BaseException) -> None:
        self._fail(sequence, f"unexpected {exc!r}")
        self._load_ended()

    def _superseded(self, sequence: int, step: str) -> bool:
        if self._latest_load > sequence:
            self.log("warn", f"model load {sequence}: superseded by request {self._latest_load} after {step}")
            return True
        return False

    def _fail(self, sequence: int, message: str, transient: bool = False) -> bool:
        with self._lock:
            latest = self._latest_load == sequence
            again = latest and transient and sequence == self._reload_sequence and self._reload_tries < RELOAD_TRIES
            if again:  # a restarted process not answering yet: the next watch tick tries again
                self._reload_pending = True
            elif latest:
                self._model_status = MODEL_LOAD_ERROR
        self.log("warn" if again else "error", f"model load {sequence}: {message}"
                 + ("; loading it again" if again else ""))
        if latest and not again:
            self.on_change()
        return False

    async def _load_steps(self, sequence: int, request: ModelLoadRequest) -> bool:
        """The five steps; True when the model is loaded. Each `await` waits for a service's answer
        without holding anything: the caller's executor runs on meanwhile."""
        if self._superseded(sequence, "waiting"):
            return False
        self.log("info", f"model load {sequence}: {request.model_name}")
        ports = self.ports
        try:
            if await wait_for(ports.inference_state(False)) != 0:
                return self._fail(sequence, "[1/5] stopping inference failed")
            self.log("info", f"model load {sequence}: [1/5] inference stopped")
            if self._superseded(sequence, "[1/5]"):
                return False
            answer = await wait_for(ports.optimize_model(request))
            artifact, error = answer if answer is not None else ("", -1)
            if error != 0 or not artifact:
                return self._fail(sequence, f"[2/5] model optimizer failed (error {error})")
            self.log("info", f"model load {sequence}: [2/5] optimized: {artifact}")
            if self._superseded(sequence, "[2/5]"):
                return False
            if await wait_for(ports.load_model(artifact, request.pre_process_type, request.action_space_type)) != 0:
                return self._fail(sequence, "[3/5] inference load_model failed")
            self.log("info", f"model load {sequence}: [3/5] inference model loaded")
            if self._superseded(sequence, "[3/5]"):
                return False
            if await wait_for(ports.load_action_space(artifact, request.pre_process_type,
                                                      request.action_space_type)) != 0:
                return self._fail(sequence, "[4/5] navigation load_action_space failed")
            self.log("info", f"model load {sequence}: [4/5] action space loaded")
            if self._superseded(sequence, "[4/5]"):
                return False
            with self._lock:
                run = self._active and not self._estopped and self._state == AUTONOMOUS
            if await wait_for(ports.inference_state(run)) != 0:
                return self._fail(sequence, "[5/5] setting the inference state failed")
            self.log("info", f"model load {sequence}: [5/5] inference {'running' if run else 'ready'}")
        except ServiceError as exc:
            return self._fail(sequence, str(exc), transient=True)
        with self._lock:
            if self._latest_load == sequence:
                self._model_status = MODEL_LOADED
        return True

    # -- restarts of the processes ctrl depends on -----------------------------------------------
    def stop_for_restart(self, what: str, autonomous_only: bool) -> bool:
        """`what` came back as a new process: stop (autonomous driving only, or any driving); True if stopped."""
        with self._lock:
            if not self._active or (autonomous_only and self._state != AUTONOMOUS):
                return False
            self._deactivate()
        self.log("warn", f"{what} restarted: driving stopped; press start to drive again")
        return True

    def model_lost(self, why: str = "the inference pipeline restarted") -> bool:
        """The process holding the model restarted: "loading" until `reload_if_pending` has loaded it again.

        False when no model was loaded or loading (nothing to restore)."""
        with self._lock:
            if self._last_request is None or self._model_status == MODEL_LOAD_ERROR:
                return False
            self._latest_load += 1  # a sequence in flight talks to the dead process: supersede it
            self._model_status = MODEL_LOADING
            self._reload_pending = True
            self._reload_tries = 0
            name = self._last_request.model_name
        self.log("warn", f"{why}: model {name} will load again")
        return True

    def inference_refused(self) -> bool:
        """Inference answered a start with "no model" while the status said loaded: load it again."""
        with self._lock:
            if self._model_status != MODEL_LOADED:
                return False
        return self.model_lost("inference has no model loaded")

    @property
    def reload_pending(self) -> bool:
        return self._reload_pending

    def reload_if_pending(self, spawn: Spawn | None = None) -> bool:
        """Load the last model again (in any mode; inference runs only once started); True if started."""
        with self._lock:
            request = self._last_request
            if not self._reload_pending or request is None:
                return False
            self._reload_pending = False
            self._latest_load += 1
            sequence = self._latest_load
            self._model_status = MODEL_LOADING
            self._reload_sequence = sequence
            self._reload_tries += 1
        self._spawn_load(sequence, request, spawn)
        return True

    # -- what survives a restart of ctrl itself --------------------------------------------------
    def intent(self) -> dict[str, Any]:
        """The user's choices to restore after a restart: autonomous mode and the model (if it loads)."""
        with self._lock:
            model = (self._last_request.fields()
                     if self._last_request is not None and self._model_status != MODEL_LOAD_ERROR else None)
            return {"state": self._state if self._state == AUTONOMOUS else MANUAL, "model": model}

    def restore(self, intent: dict[str, Any]) -> str:
        """Apply an `intent()` saved earlier (stopped; the model loads again via `reload_if_pending`)."""
        with self._lock:
            if intent.get("state") == AUTONOMOUS:
                self._state = AUTONOMOUS
            request = ModelLoadRequest.from_dict(intent.get("model"))
            if request is not None:
                self._last_request = request
                self._model_status = MODEL_LOADING
                self._reload_pending = True
                self._reload_tries = 0
            restored = self.describe()
            if self._last_request is not None:
                restored += f", model {self._last_request.model_name} (loading again)"
            return restored
