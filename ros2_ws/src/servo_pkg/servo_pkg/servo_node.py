"""servo_node: servo/ESC commands -> calibrated PWM, tail light, servo power, command watchdog.

Thin adapter over `drivers.actuation.ServoController` (maths in `calibration.maths`, files in
`calibration.files`, PWM in `drivers.pwm`). Safety beyond the original:

- command watchdog: no fresh /ctrl_pkg/servo_msg for `watchdog_timeout` s -> throttle neutral,
  steering centred (a timer), and the same on a QoS requested-deadline-missed event from publishers
  that offer a deadline (the ctrl_node does);
- neutral, tail light off and servo power off on shutdown, SIGTERM and crashes (`on_shutdown`);
- outputs never leave the calibrated range; raw calibration pulses stay inside 0.5..2.5 ms.

Latency telemetry (as the community's servo node): a servo_msg whose `source_stamp` is set (the
capture time of the camera frame an autonomous command came from) yields, once its PWM is written,
a LatencyMeasureMsg on /servo_pkg/latency: capture -> PWM written, in ms (device_status_node keeps
the statistics).

See README.md for topics, services and parameters.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from typing import Any

from deepracer_interfaces_pkg.msg import LatencyMeasureMsg, ServoCtrlMsg
from deepracer_interfaces_pkg.srv import (
    GetCalibrationSrv,
    GetLedCtrlSrv,
    ServoGPIOSrv,
    SetCalibrationSrv,
    SetLedCtrlSrv,
)
from node_host.ros_helpers import command_qos, read_parameters
from rclpy.event_handler import QoSRequestedDeadlineMissedInfo, SubscriptionEventCallbacks
from rclpy.impl.rcutils_logger import RcutilsLogger
from rclpy.node import Node

from calibration.files import UNREADABLE_NOTICE, load_calibration, load_led_values
from calibration.maths import SAFE_PULSE_MAX_NS, SAFE_PULSE_MIN_NS
from drivers.actuation import ActuationError, CommandWatchdog, ServoController
from drivers.gpio import GpioPin, SysfsGpio
from drivers.pwm import (
    PCA9685_DEFAULT_ADDRESS,
    PCA9685_DEFAULT_BUS,
    SERVO_POWER_GPIO,
    PwmOutput,
    UnavailablePwm,
    open_pwm,
)
from drivers.watchdog_timer import WatchdogTimer
from vehicle.calibration import CalibrationRange

DEFAULT_WATCHDOG_S = 0.5
LATENCY_TOPIC = "/servo_pkg/latency"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw, 0) if raw else default
    except ValueError:
        return default


@dataclass(frozen=True)
class ServoParams:
    watchdog_timeout: float = DEFAULT_WATCHDOG_S   # s without a fresh servo_msg before neutral
    deadline_timeout: float = 0.0                  # requested QoS deadline (0 = watchdog_timeout)
    pwm_backend: str = field(default_factory=lambda: os.environ.get("DEEPRACER_PWM_BACKEND", "") or "sysfs")
    pca9685_bus: int = field(default_factory=lambda: _env_int("DEEPRACER_PCA9685_BUS", PCA9685_DEFAULT_BUS))
    pca9685_address: int = field(
        default_factory=lambda: _env_int("DEEPRACER_PCA9685_ADDRESS", PCA9685_DEFAULT_ADDRESS))
    servo_power_gpio: int = SERVO_POWER_GPIO        # -1 = none
    raw_pwm_min: int = SAFE_PULSE_MIN_NS            # window of raw calibration pulses (ns)
    raw_pwm_max: int = SAFE_PULSE_MAX_NS

    def checked(self, log: RcutilsLogger) -> ServoParams:
        """A watchdog timeout that is not > 0 falls back to the default; no deadline = the watchdog's."""
        watchdog = self.watchdog_timeout
        if not watchdog > 0:
            log.error(f"watchdog_timeout must be > 0 s, not {watchdog}; using {DEFAULT_WATCHDOG_S} s")
            watchdog = DEFAULT_WATCHDOG_S
        deadline = self.deadline_timeout if self.deadline_timeout > 0 else watchdog
        return replace(self, watchdog_timeout=watchdog, deadline_timeout=deadline)


def open_controller(params: ServoParams, log: RcutilsLogger) -> ServoController:
    """The servo controller on the configured PWM output and power GPIO, neutral (problems logged)."""
    calibration = load_calibration()
    if calibration.problem:
        log.error(calibration.problem)
    if calibration.corrupt:
        log.error(f"{UNREADABLE_NOTICE} (the console's Calibration page and `deepracer status` say so too)")
    led_values = load_led_values()
    if led_values.problem:
        log.error(led_values.problem)
    pwm: PwmOutput
    try:
        pwm = open_pwm(params.pwm_backend, pca9685_bus=params.pca9685_bus, pca9685_address=params.pca9685_address)
    except (OSError, ValueError) as exc:
        log.error(f"no PWM output ({params.pwm_backend}): {exc}; the car cannot drive")
        pwm = UnavailablePwm(str(exc))
    power: GpioPin | None = None
    if params.servo_power_gpio >= 0:
        try:
            power = SysfsGpio().pin(params.servo_power_gpio, "out")
        except (OSError, ValueError) as exc:
            log.error(f"servo power GPIO {params.servo_power_gpio}: {exc}")
    controller = ServoController(pwm, calibration.value, led_values.value, power=power,
                                 raw_min_ns=params.raw_pwm_min, raw_max_ns=params.raw_pwm_max)
    for problem in controller.start():
        log.error(problem)
    return controller


class ServoNode(Node):
    """Throttle (ch 0), steering (ch 1) and tail light (ch 2-4) PWM; servo power GPIO.

    Subscribes: /ctrl_pkg/servo_msg, /ctrl_pkg/raw_pwm (ServoCtrlMsg, BEST_EFFORT KeepLast 1).
    Publishes: /servo_pkg/latency (LatencyMeasureMsg) for each stamped servo_msg written.
    Services: /servo_pkg/{servo_gpio, set_calibration, get_calibration, set_led_state, get_led_state}.
    The command watchdog runs on a thread of its own (`drivers.watchdog_timer`): no callback of any
    node in the process can delay the stop.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "servo_pkg")
        super().__init__("servo_node", **kwargs)
        self.params = read_parameters(self, ServoParams).checked(self.get_logger())
        self.deadline_s = self.params.deadline_timeout
        self.deadline_misses = 0
        self.controller = open_controller(self.params, self.get_logger())
        self.watchdog = WatchdogTimer(CommandWatchdog(self.params.watchdog_timeout), self._on_watchdog,
                                      name="servo-watchdog")
        self._create_subscriptions()
        self._create_services()
        self.get_logger().info(
            f"servo_node started: {self.params.pwm_backend} PWM, watchdog {self.params.watchdog_timeout:g} s "
            f"(deadline {self.deadline_s:g} s), throttle neutral, steering centred, servo power off")

    def _create_subscriptions(self) -> None:
        self.latency_pub = self.create_publisher(LatencyMeasureMsg, LATENCY_TOPIC, 10)
        self.create_subscription(ServoCtrlMsg, "/ctrl_pkg/servo_msg", self._on_servo_msg, command_qos())
        self.create_subscription(ServoCtrlMsg, "/ctrl_pkg/raw_pwm", self._on_raw_pwm, command_qos())
        # Second listener on servo_msg whose only job is the QoS deadline: it matches publishers that
        # offer a deadline (ctrl_node); plain publishers stay served by the subscription above.
        self.create_subscription(
            ServoCtrlMsg, "/ctrl_pkg/servo_msg", lambda _msg: None, command_qos(self.deadline_s),
            event_callbacks=SubscriptionEventCallbacks(deadline=self._on_deadline_missed,
                                                       incompatible_qos=lambda _info: None))

    def _create_services(self) -> None:
        self.create_service(ServoGPIOSrv, "/servo_pkg/servo_gpio", self._servo_gpio)
        self.create_service(SetCalibrationSrv, "/servo_pkg/set_calibration", self._set_calibration)
        self.create_service(GetCalibrationSrv, "/servo_pkg/get_calibration", self._get_calibration)
        self.create_service(SetLedCtrlSrv, "/servo_pkg/set_led_state", self._set_led_state)
        self.create_service(GetLedCtrlSrv, "/servo_pkg/get_led_state", self._get_led_state)

    # -- commands ----------------------------------------------------------------------------
    def _on_servo_msg(self, msg: ServoCtrlMsg) -> None:
        result = self.controller.drive(msg.angle, msg.throttle)
        if result.throttle_ns is not None or result.steering_ns is not None:
            self.watchdog.feed()
            self._measure_latency(msg.source_stamp)
        for problem in result.problems:
            self.get_logger().warning(f"servo_msg: {problem}", throttle_duration_sec=1.0)

    def _measure_latency(self, stamp: Any) -> None:
        """Capture (the frame's stamp, wall clock) -> PWM written, for commands that carry a stamp."""
        source_ns = int(stamp.sec) * 1_000_000_000 + int(stamp.nanosec)
        if source_ns > 0:
            self.latency_pub.publish(LatencyMeasureMsg(latency_ms=(time.time_ns() - source_ns) / 1e6))

    def _on_raw_pwm(self, msg: ServoCtrlMsg) -> None:
        result = self.controller.raw(msg.angle, msg.throttle)
        if result.throttle_ns is not None or result.steering_ns is not None:
            self.watchdog.trip()   # the raw calibration preview owns the outputs now; it holds
        for problem in result.problems:
            self.get_logger().warning(f"raw_pwm: {problem}", throttle_duration_sec=1.0)

    def _stop_outputs(self) -> tuple[bool, list[str]]:
        """Neutral; (whether anything was moving, problems)."""
        moving = not self.controller.is_neutral()
        return moving, self.controller.neutral()

    def _on_watchdog(self) -> None:
        """On the watchdog's thread: no servo command for the timeout."""
        moving, problems = self._stop_outputs()
        if problems:
            self.get_logger().error(f"command watchdog could not stop the car: {'; '.join(problems)}")
        elif moving:   # a normal event (the driver let go): information, not a warning
            self.get_logger().info(f"command watchdog: no servo command for {self.watchdog.timeout:g} s: "
                                   "throttle neutral, steering centred")

    def _on_deadline_missed(self, info: QoSRequestedDeadlineMissedInfo) -> None:
        self.deadline_misses += 1
        if self.watchdog.trip_if_older(self.deadline_s / 2):
            moving, problems = self._stop_outputs()
            if problems:
                self.get_logger().error(f"QoS deadline watchdog could not stop the car: {'; '.join(problems)}")
            elif moving:
                self.get_logger().info(f"QoS deadline missed on /ctrl_pkg/servo_msg (total {info.total_count}): "
                                       "throttle neutral, steering centred")

    # -- services ----------------------------------------------------------------------------
    def _servo_gpio(self, request: ServoGPIOSrv.Request, response: ServoGPIOSrv.Response) -> ServoGPIOSrv.Response:
        try:
            self.controller.set_power(int(request.enable))
            response.error = 0
        except ActuationError as exc:
            self.get_logger().error(f"servo_gpio: {exc}")
            response.error = 1
        return response

    def _set_calibration(self, request: SetCalibrationSrv.Request,
                         response: SetCalibrationSrv.Response) -> SetCalibrationSrv.Response:
        cal = CalibrationRange.from_fields(request)
        was_neutral = self.controller.is_neutral()
        try:
            aside = self.controller.set_calibration(int(request.cal_type), cal)
        except ActuationError as exc:
            self.get_logger().error(f"set_calibration: {exc}")
            response.error = 1
            return response
        if aside is not None:
            self.get_logger().warning(f"the unreadable calibration file was kept as {aside}; "
                                      "the new calibration replaces the defaults that were in use")
        if was_neutral:
            self.controller.neutral()    # idle outputs follow the new stopped / centre values
        self.get_logger().info(f"calibration {request.cal_type} set: {cal.as_dict()}")
        response.error = 0
        return response

    def _get_calibration(self, request: GetCalibrationSrv.Request,
                         response: GetCalibrationSrv.Response) -> GetCalibrationSrv.Response:
        try:
            cal = self.controller.get_calibration(int(request.cal_type))
        except ActuationError as exc:
            self.get_logger().error(f"get_calibration: {exc}")
            response.error = 1
            return response
        response.max, response.mid, response.min, response.polarity = cal.max, cal.mid, cal.min, cal.polarity
        response.error = 0
        return response

    def _set_led_state(self, request: SetLedCtrlSrv.Request,
                       response: SetLedCtrlSrv.Response) -> SetLedCtrlSrv.Response:
        try:
            self.controller.set_led(int(request.red), int(request.green), int(request.blue))
            response.error = 0
        except ActuationError as exc:
            self.get_logger().error(f"set_led_state: {exc}")
            response.error = 1
        return response

    def _get_led_state(self, request: GetLedCtrlSrv.Request,
                       response: GetLedCtrlSrv.Response) -> GetLedCtrlSrv.Response:
        response.red, response.green, response.blue = self.controller.get_led().as_tuple()
        return response

    def on_shutdown(self) -> None:
        """Neutral, tail light off, servo power off."""
        self.watchdog.close()
        problems = self.controller.shutdown()
        for problem in problems:
            self.get_logger().error(f"shutdown: {problem}")
        self.controller.pwm.close()
        self.get_logger().info("servo_node stopped: throttle neutral, steering centred, servo power off")


def main(args: list[str] | None = None) -> None:
    from node_host.host import run_nodes

    run_nodes([ServoNode], args=args)


if __name__ == "__main__":
    main()
