"""A fake /sys for the simulated car (and tests): what the real drivers look for, laid out as a kernel does.

`build_sim_sysfs(root)` creates (only what is missing, so a restart keeps the current values):

- PWM: `devices/pci0000:00/0000:00:17.0/pwm/pwmchip1/` with channels pwm0..pwm4 already exported
  (`period`, `duty_cycle`, `enable`, `polarity`), linked from `class/pwm/pwmchip1`; a decoy
  `class/pwm/pwmchip0` on another PCI device, so only real chip discovery finds the right one.
- GPIO: `class/gpio/{export,unexport}` and exported pins: servo power 436 (value "1" = power off),
  the status LED triplets, board id 383/387.
- I2C: `class/i2c-dev/i2c-7` linked into `0000:00:17.3` (the fuel gauge bus) and a decoy `i2c-0`.
- `class/dmi/id/*` (bios_version 0.0.8, chassis_serial, chassis_asset_tag "deepracer", ...),
  `class/net/<iface>` for this machine's interfaces (or the given names), and the EFI SecureBoot
  variable (off).

The simulator reads the outputs the drivers write: `sim_pwm_duty_path(root, channel)` and
`sim_gpio_value_path(root, number)`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

PWM_PCI_DEVICE = "0000:00:17.0"
I2C_PCI_DEVICE = "0000:00:17.3"
PWM_CHIP = "pwmchip1"
PWM_CHANNELS = (0, 1, 2, 3, 4)
SERVO_POWER_GPIO = 436
STATUS_LED_GPIOS = (448, 447, 437, 446, 445, 443, 450, 457, 458)
BOARD_ID_GPIOS = {383: "0", 387: "0"}  # board_id1, board_id0 -> "R1.0"
I2C_BUS = 7
SECURE_BOOT_VAR = "SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
DMI_FILES = {
    "bios_version": "0.0.8",
    "bios_vendor": "DeepRacer open stack",
    "board_name": "Simulated DeepRacer",
    "product_name": "AWS DeepRacer (simulated)",
    "sys_vendor": "DeepRacer open stack",
    "chassis_serial": "SIM-DEEPRACER",
    "chassis_asset_tag": "deepracer",
    "chassis_vendor": "DeepRacer open stack",
}


def _file(path: Path, content: str | bytes) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)


def _link(link: Path, target: Path) -> None:
    """Relative symlink `link` -> `target`, as sysfs class entries are."""
    if link.is_symlink() or link.exists():
        return
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(os.path.relpath(target, link.parent))


def _pwm_chip(root: Path, pci: str, chip: str, channels: Iterable[int]) -> Path:
    chip_dir = root / "devices" / "pci0000:00" / pci / "pwm" / chip
    _file(chip_dir / "export", "")
    _file(chip_dir / "unexport", "")
    _file(chip_dir / "npwm", "8\n")
    for channel in channels:
        channel_dir = chip_dir / f"pwm{channel}"
        _file(channel_dir / "period", "0\n")
        _file(channel_dir / "duty_cycle", "0\n")
        _file(channel_dir / "enable", "0\n")
        _file(channel_dir / "polarity", "normal\n")
    _link(root / "class" / "pwm" / chip, chip_dir)
    return chip_dir


def _gpio(root: Path, number: int, direction: str, value: str) -> None:
    pin = root / "class" / "gpio" / f"gpio{number}"
    _file(pin / "direction", direction)
    _file(pin / "value", value)
    _file(pin / "active_low", "0")
    _file(pin / "edge", "none")


def _i2c_bus(root: Path, pci: str, adapter: str, bus: int) -> None:
    dev_dir = root / "devices" / "pci0000:00" / pci / adapter / f"i2c-{bus}" / "i2c-dev" / f"i2c-{bus}"
    _file(dev_dir / "dev", f"89:{bus}\n")
    _file(dev_dir / "name", f"Synopsys DesignWare I2C adapter {bus}\n")
    _link(root / "class" / "i2c-dev" / f"i2c-{bus}", dev_dir)


def _host_interfaces() -> list[str]:
    try:
        names = sorted(p.name for p in Path("/sys/class/net").iterdir())
    except OSError:
        names = []
    return names or ["lo"]


def build_sim_sysfs(root: str | os.PathLike[str], net_interfaces: Iterable[str] | None = None) -> Path:
    """Create (or complete) the simulated car's sysfs tree under `root`; returns `root`."""
    base = Path(root)
    base.mkdir(parents=True, exist_ok=True)

    _pwm_chip(base, "0000:00:1a.0", "pwmchip0", ())          # decoy: not the servo chip
    _pwm_chip(base, PWM_PCI_DEVICE, PWM_CHIP, PWM_CHANNELS)

    gpio = base / "class" / "gpio"
    _file(gpio / "export", "")
    _file(gpio / "unexport", "")
    _gpio(base, SERVO_POWER_GPIO, "out", "1")
    for number in STATUS_LED_GPIOS:
        _gpio(base, number, "out", "0")
    for number, value in BOARD_ID_GPIOS.items():
        _gpio(base, number, "in", value)

    _i2c_bus(base, "0000:00:16.0", "i2c_designware.0", 0)   # decoy
    _i2c_bus(base, I2C_PCI_DEVICE, "i2c_designware.3", I2C_BUS)

    dmi = base / "devices" / "virtual" / "dmi" / "id"
    for name, value in DMI_FILES.items():
        _file(dmi / name, value + "\n")
    _link(base / "class" / "dmi" / "id", dmi)

    names = list(net_interfaces) if net_interfaces is not None else _host_interfaces()
    for index, name in enumerate(names, start=1):
        iface = base / "devices" / "virtual" / "net" / name
        _file(iface / "ifindex", f"{index}\n")
        _file(iface / "operstate", "unknown\n" if name == "lo" else "up\n")
        _file(iface / "address", "00:00:00:00:00:00\n")
        _file(iface / "type", "772\n" if name == "lo" else "1\n")
        _link(base / "class" / "net" / name, iface)

    _file(base / "firmware" / "efi" / "efivars" / SECURE_BOOT_VAR, bytes([0x06, 0, 0, 0, 0]))
    return base


def sim_pwm_duty_path(root: str | os.PathLike[str], channel: int) -> Path:
    """`duty_cycle` of a channel of the simulated servo PWM chip."""
    return Path(root) / "class" / "pwm" / PWM_CHIP / f"pwm{channel}" / "duty_cycle"


def sim_gpio_value_path(root: str | os.PathLike[str], number: int) -> Path:
    return Path(root) / "class" / "gpio" / f"gpio{number}" / "value"
