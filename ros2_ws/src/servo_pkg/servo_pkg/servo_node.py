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
from typing import Any

from deepracer_interfaces_pkg.msg import LatencyMeasureMsg, ServoCtrlMsg
from deepracer_interfaces_pkg.srv import (
    GetCalibrationSrv,
    GetLedCtrlSrv,
    ServoGPIOSrv,
    SetCalibrationSrv,
    SetLedCtrlSrv,
)
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.duration import Duration
from rclpy.event_handler import SubscriptionEventCallbacks
from rclpy.node import Node
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy

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
from vehicle.calibration import CalibrationRange

DEFAULT_WATCHDOG_S = 0.5
LATENCY_TOPIC = "/servo_pkg/latency"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw, 0) if raw else default
    except ValueError:
        return default


class ServoNode(Node):
    """Throttle (ch 0), steering (ch 1) and tail light (ch 2-4) PWM; servo power GPIO.

    Subscribes: /ctrl_pkg/servo_msg, /ctrl_pkg/raw_pwm (ServoCtrlMsg, BEST_EFFORT KeepLast 1).
    Publishes: /servo_pkg/latency (LatencyMeasureMsg) for each stamped servo_msg written.
    Services: /servo_pkg/{servo_gpio, set_calibration, get_calibration, set_led_state, get_led_state}.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("namespace", "servo_pkg")
        super().__init__("servo_node", **kwargs)
        log = self.get_logger()
        watchdog_s = float(self.declare_parameter("watchdog_timeout", DEFAULT_WATCHDOG_S).value)
        deadline_s = float(self.declare_parameter("deadline_timeout", 0.0).value)
        backend = str(self.declare_parameter(
            "pwm_backend", os.environ.get("DEEPRACER_PWM_BACKEND", "sysfs") or "sysfs").value)
        pca_bus = int(self.declare_parameter(
            "pca9685_bus", _env_int("DEEPRACER_PCA9685_BUS", PCA9685_DEFAULT_BUS)).value)
        pca_address = int(self.declare_parameter(
            "pca9685_address", _env_int("DEEPRACER_PCA9685_ADDRESS", PCA9685_DEFAULT_ADDRESS)).value)
        power_gpio = int(self.declare_parameter("servo_power_gpio", SERVO_POWER_GPIO).value)
        raw_min = int(self.declare_parameter("raw_pwm_min", SAFE_PULSE_MIN_NS).value)
        raw_max = int(self.declare_parameter("raw_pwm_max", SAFE_PULSE_MAX_NS).value)

        if not watchdog_s > 0:
            log.error(f"watchdog_timeout must be > 0 s, not {watchdog_s}; using {DEFAULT_WATCHDOG_S} s")
            watchdog_s = DEFAULT_WATCHDOG_S
        if not deadline_s > 0:
            deadline_s = watchdog_s
        self.watchdog = CommandWatchdog(watchdog_s)
        self.deadline_s = deadline_s

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
            pwm = open_pwm(backend, pca9685_bus=pca_bus, pca9685_address=pca_address)
        except (OSError, ValueError) as exc:
            log.error(f"no PWM output ({backend}): {exc}; the car cannot drive")
            pwm = UnavailablePwm(str(exc))
        power: GpioPin | None = None
        if power_gpio >= 0:
            try:
                power = SysfsGpio().pin(power_gpio, "out")
            except (OSError, ValueError) as exc:
                log.error(f"servo power GPIO {power_gpio}: {exc}")

        self.controller = ServoController(pwm, calibration.value, led_values.value, power=power,
                                          raw_min_ns=raw_min, raw_max_ns=raw_max)
        for problem in self.controller.start():
            log.error(problem)

        self.latency_pub = self.create_publisher(LatencyMeasureMsg, LATENCY_TOPIC, 10)
        commands = MutuallyExclusiveCallbackGroup()
        services = MutuallyExclusiveCallbackGroup()
        qos = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1, reliability=ReliabilityPolicy.BEST_EFFORT)
        self.create_subscription(ServoCtrlMsg, "/ctrl_pkg/servo_msg", self._on_servo_msg, qos,
                                 callback_group=commands)
        self.create_subscription(ServoCtrlMsg, "/ctrl_pkg/raw_pwm", self._on_raw_pwm, qos,
                                 callback_group=commands)
        # Second listener on servo_msg whose only job is the QoS deadline: it matches publishers that
        # offer a deadline (ctrl_node); plain publishers stay served by the subscription above.
        deadline_qos = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1,
                                  reliability=ReliabilityPolicy.BEST_EFFORT,
                                  deadline=Duration(nanoseconds=int(deadline_s * 1e9)))
        self.deadline_misses = 0
        self.create_subscription(
            ServoCtrlMsg, "/ctrl_pkg/servo_msg", lambda _msg: None, deadline_qos, callback_group=commands,
            event_callbacks=SubscriptionEventCallbacks(deadline=self._on_deadline_missed,
                                                       incompatible_qos=lambda _info: None))
        self.create_timer(min(0.05, watchdog_s / 4), self._check_watchdog, callback_group=commands)

        self.create_service(ServoGPIOSrv, "/servo_pkg/servo_gpio", self._servo_gpio, callback_group=services)
        self.create_service(SetCalibrationSrv, "/servo_pkg/set_calibration", self._set_calibration,
                            callback_group=services)
        self.create_service(GetCalibrationSrv, "/servo_pkg/get_calibration", self._get_calibration,
                            callback_group=services)
        self.create_service(SetLedCtrlSrv, "/servo_pkg/set_led_state", self._set_led_state,
                            callback_group=services)
        self.create_service(GetLedCtrlSrv, "/servo_pkg/get_led_state", self._get_led_state,
                            callback_group=services)
        log.info(f"servo_node started: {backend} PWM, watchdog {watchdog_s:g} s (deadline {deadline_s:g} s), "
                 f"throttle neutral, steering centred, servo power off")

    # -- commands ----------------------------------------------------------------------------
    def _on_servo_msg(self, msg: Any) -> None:
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

    def _on_raw_pwm(self, msg: Any) -> None:
        result = self.controller.raw(msg.angle, msg.throttle)
        if result.throttle_ns is not None or result.steering_ns is not None:
            self.watchdog.trip()   # the raw calibration preview owns the outputs now; it holds
        for problem in result.problems:
            self.get_logger().warning(f"raw_pwm: {problem}", throttle_duration_sec=1.0)

    def _stop_outputs(self) -> tuple[bool, list[str]]:
        """Neutral; (whether anything was moving, problems)."""
        moving = not self.controller.is_neutral()
        return moving, self.controller.neutral()

    def _check_watchdog(self) -> None:
        if self.watchdog.check():
            moving, problems = self._stop_outputs()
            if problems:
                self.get_logger().error(f"command watchdog could not stop the car: {'; '.join(problems)}")
            elif moving:   # a normal event (the driver let go): information, not a warning
                self.get_logger().info(f"command watchdog: no servo command for {self.watchdog.timeout:g} s: "
                                       "throttle neutral, steering centred")

    def _on_deadline_missed(self, info: Any) -> None:
        self.deadline_misses += 1
        if self.watchdog.trip_if_older(self.deadline_s / 2):
            moving, problems = self._stop_outputs()
            if problems:
                self.get_logger().error(f"QoS deadline watchdog could not stop the car: {'; '.join(problems)}")
            elif moving:
                self.get_logger().info(f"QoS deadline missed on /ctrl_pkg/servo_msg (total {info.total_count}): "
                                       "throttle neutral, steering centred")

    # -- services ----------------------------------------------------------------------------
    def _servo_gpio(self, request: Any, response: Any) -> Any:
        try:
            self.controller.set_power(int(request.enable))
            response.error = 0
        except ActuationError as exc:
            self.get_logger().error(f"servo_gpio: {exc}")
            response.error = 1
        return response

    def _set_calibration(self, request: Any, response: Any) -> Any:
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

    def _get_calibration(self, request: Any, response: Any) -> Any:
        try:
            cal = self.controller.get_calibration(int(request.cal_type))
        except ActuationError as exc:
            self.get_logger().error(f"get_calibration: {exc}")
            response.error = 1
            return response
        response.max, response.mid, response.min, response.polarity = cal.max, cal.mid, cal.min, cal.polarity
        response.error = 0
        return response

    def _set_led_state(self, request: Any, response: Any) -> Any:
        try:
            self.controller.set_led(int(request.red), int(request.green), int(request.blue))
            response.error = 0
        except ActuationError as exc:
            self.get_logger().error(f"set_led_state: {exc}")
            response.error = 1
        return response

    def _get_led_state(self, request: Any, response: Any) -> Any:
        response.red, response.green, response.blue = self.controller.get_led().as_tuple()
        return response

    def on_shutdown(self) -> None:
        """Neutral, tail light off, servo power off."""
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
