"""Fake kernel trees for driver tests.

`build_sim_sysfs` (sim.sysfs_tree) gives the simulated car's tree with everything exported.
`FakeKernel(root)` plays the kernel's part for trees where pins/channels are not exported yet: it
watches every `export` file under `class/gpio` and the PWM chips, records what was written
(`.exports`, exact text) and creates the directory the kernel would create.
"""

from __future__ import annotations

import threading
from pathlib import Path


def read(path: Path) -> str:
    return path.read_text()


def make_gpio_class(root: Path, chips: dict[int, int] | None = None) -> Path:
    """An empty `class/gpio` (export/unexport) with optional `gpiochip<base>` entries {base: ngpio}."""
    gpio = root / "class" / "gpio"
    gpio.mkdir(parents=True, exist_ok=True)
    (gpio / "export").write_text("")
    (gpio / "unexport").write_text("")
    for base, count in (chips or {}).items():
        chip = gpio / f"gpiochip{base}"
        chip.mkdir()
        (chip / "base").write_text(f"{base}\n")
        (chip / "ngpio").write_text(f"{count}\n")
        (chip / "label").write_text("INT3452:00\n")
    return gpio


def make_pwm_chip(root: Path, pci: str, chip: str) -> Path:
    """A PWM chip with nothing exported, linked from class/pwm/<chip>; returns the chip directory."""
    chip_dir = root / "devices" / "pci0000:00" / pci / "pwm" / chip
    chip_dir.mkdir(parents=True)
    (chip_dir / "export").write_text("")
    (chip_dir / "unexport").write_text("")
    (chip_dir / "npwm").write_text("8\n")
    link = root / "class" / "pwm" / chip
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(Path("../../devices/pci0000:00") / pci / "pwm" / chip)
    return chip_dir


class FakeKernel:
    """Services `export` writes under `root` until closed (use as a context manager)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.exports: list[tuple[str, str]] = []   # ("gpio" or the PWM chip name, text written)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> FakeKernel:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)

    def _export_files(self) -> list[Path]:
        files = [self.root / "class" / "gpio" / "export"]
        files += [p.resolve() / "export" for p in (self.root / "class" / "pwm").glob("pwmchip*")]
        return [f for f in files if f.exists()]

    def _run(self) -> None:
        while not self._stop.wait(0.002):
            for export in self._export_files():
                text = export.read_text()
                if not text:
                    continue
                export.write_text("")
                self.exports.append((export.parent.name, text))
                number = int(text.strip())
                if export.parent.name == "gpio":
                    pin = export.parent / f"gpio{number}"
                    pin.mkdir(exist_ok=True)
                    (pin / "direction").write_text("in")
                    (pin / "value").write_text("0")
                else:
                    channel = export.parent / f"pwm{number}"
                    channel.mkdir(exist_ok=True)
                    (channel / "period").write_text("0\n")
                    (channel / "enable").write_text("0\n")
                    (channel / "polarity").write_text("normal\n")
                    (channel / "duty_cycle").write_text("0\n")


def make_usb_gadget_tree(root: Path, controller: str = "dwc3.0.auto") -> Path:
    """configfs with the USB gadget subsystem (libcomposite loaded) and one USB device controller
    whose `state` says nothing is attached; returns the controller's directory."""
    (root / "kernel" / "config" / "usb_gadget").mkdir(parents=True, exist_ok=True)
    udc = root / "class" / "udc" / controller
    udc.mkdir(parents=True, exist_ok=True)
    (udc / "state").write_text("not attached\n")
    return udc
