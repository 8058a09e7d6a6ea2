"""PCA9685 backend: register bytes for 50 Hz set-up and for every duty, checked on the chip emulator."""

from __future__ import annotations

import pytest

from drivers.pwm import PCA9685Pwm, PwmError, open_pwm, pca9685_prescale
from drivers.smbus_emulators import (
    ALL_LED_ON_L,
    LED0_ON_L,
    MODE1,
    PRE_SCALE,
    EmulatedSMBus,
    PCA9685Emulator,
)


def make() -> tuple[PCA9685Pwm, PCA9685Emulator, EmulatedSMBus]:
    chip = PCA9685Emulator()
    bus = EmulatedSMBus({0x40: chip})
    return PCA9685Pwm(bus, address=0x40), chip, bus


def test_prescale_for_50_hz() -> None:
    assert pca9685_prescale(50) == 121          # round(25e6 / (4096 * 50)) - 1
    assert pca9685_prescale(60) == 101
    with pytest.raises(ValueError):
        pca9685_prescale(5000)


def test_set_up_sequence_from_power_on() -> None:
    pwm, chip, bus = make()
    pwm.configure(0)
    assert bus.transactions == [
        ("read_byte_data", 0x40, 0x00, (0x11,)),          # MODE1 at power-on: SLEEP | ALLCALL
        ("read_byte_data", 0x40, 0xFE, (0x1E,)),          # PRE_SCALE at power-on (~200 Hz)
        ("write_byte_data", 0x40, 0x00, (0x11,)),         # sleep so PRE_SCALE is writable
        ("write_byte_data", 0x40, 0xFE, (121,)),          # 50 Hz
        ("write_byte_data", 0x40, 0x01, (0x04,)),         # MODE2: totem-pole outputs
        ("write_byte_data", 0x40, 0x00, (0x21,)),         # wake, auto-increment
        ("write_byte_data", 0x40, 0x00, (0xA1,)),         # restart
    ]
    assert chip.registers[PRE_SCALE] == 121
    assert not chip.sleeping
    assert chip.frequency_hz() == pytest.approx(50.03, abs=0.01)


def test_duty_is_one_block_write_of_led_registers() -> None:
    pwm, chip, bus = make()
    for channel in range(5):
        pwm.configure(channel)
    bus.transactions.clear()
    pwm.set_duty(0, 1_446_000)      # 1446000 / 4880 ns per tick = 296.3 -> 296 = 0x128
    pwm.set_duty(1, 1_700_000)      # 348.4 -> 348 = 0x15C
    pwm.set_duty(4, 10_000_000)     # 2049.2 -> 2049 = 0x801
    assert bus.transactions == [
        ("write_i2c_block_data", 0x40, LED0_ON_L + 0, (0x00, 0x00, 0x28, 0x01)),
        ("write_i2c_block_data", 0x40, LED0_ON_L + 4, (0x00, 0x00, 0x5C, 0x01)),
        ("write_i2c_block_data", 0x40, LED0_ON_L + 16, (0x00, 0x00, 0x01, 0x08)),
    ]
    # what the pins carry, within one tick (4.88 us)
    assert chip.pulse_ns(0) == pytest.approx(1_446_000, abs=2_440)
    assert chip.pulse_ns(1) == pytest.approx(1_700_000, abs=2_440)
    assert chip.pulse_ns(4) == pytest.approx(10_000_000, abs=2_440)


def test_zero_duty_uses_full_off_and_full_period_full_on() -> None:
    pwm, chip, bus = make()
    pwm.configure(2)
    pwm.set_duty(2, 0)
    assert chip.channel_registers(2) == (0, 0, 0, 0x10)
    assert chip.pulse_ns(2) == 0
    pwm.set_duty(2, 20_000_000)
    assert chip.channel_registers(2) == (0, 0x10, 0, 0)
    assert chip.pulse_ns(2) == pytest.approx(chip.period_ns())


def test_running_chip_is_not_put_to_sleep_again() -> None:
    chip = PCA9685Emulator()
    bus = EmulatedSMBus({0x40: chip})
    PCA9685Pwm(bus).set_duty(0, 1_500_000)
    before = chip.pulse_ns(0)
    bus.transactions.clear()
    restarted = PCA9685Pwm(bus)        # e.g. the servo node restarted while the car sat still
    restarted.configure(0)
    assert [t[0] for t in bus.transactions] == ["read_byte_data", "read_byte_data"]
    assert chip.pulse_ns(0) == before


def test_channel_offset_and_address() -> None:
    chip = PCA9685Emulator()
    bus = EmulatedSMBus({0x41: chip})
    pwm = PCA9685Pwm(bus, address=0x41, channel_offset=8)
    pwm.set_duty(1, 1_500_000)
    assert bus.transactions[-1] == ("write_i2c_block_data", 0x41, LED0_ON_L + 36, (0, 0, 0x33, 0x01))
    with pytest.raises(ValueError, match="not a PCA9685 channel"):
        pwm.configure(8)


def test_no_chip_at_the_address_is_a_clear_error() -> None:
    pwm = PCA9685Pwm(EmulatedSMBus({}), address=0x40)
    with pytest.raises(PwmError, match="PCA9685 at 0x40: read register 0x00 failed"):
        pwm.configure(0)


def test_emulator_rules_prescale_only_while_asleep_and_all_led() -> None:
    chip = PCA9685Emulator()
    chip.write_register(MODE1, 0x01)           # awake
    chip.write_register(PRE_SCALE, 50)
    assert chip.registers[PRE_SCALE] == 0x1E   # ignored while awake
    chip.write_block(ALL_LED_ON_L, [0, 0, 0x33, 0x01])   # AI off: every byte to ALL_LED_ON_L
    assert chip.registers[ALL_LED_ON_L] == 0x01


def test_open_pwm_selects_pca9685_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    chip = PCA9685Emulator()
    opened: list[int] = []

    def factory(bus: int) -> EmulatedSMBus:
        opened.append(bus)
        return EmulatedSMBus({0x42: chip})

    monkeypatch.setenv("DEEPRACER_PWM_BACKEND", "pca9685")
    monkeypatch.setenv("DEEPRACER_PCA9685_BUS", "3")
    monkeypatch.setenv("DEEPRACER_PCA9685_ADDRESS", "0x42")
    pwm = open_pwm(bus_factory=factory)
    pwm.set_duty(0, 1_500_000)
    assert opened == [3] and isinstance(pwm, PCA9685Pwm) and pwm.address == 0x42
    assert chip.pulse_ns(0) == pytest.approx(1_500_000, abs=2_440)
    monkeypatch.setenv("DEEPRACER_PWM_BACKEND", "servo-hat")
    with pytest.raises(ValueError, match="DEEPRACER_PWM_BACKEND"):
        open_pwm(bus_factory=factory)
