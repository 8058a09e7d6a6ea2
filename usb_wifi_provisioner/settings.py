"""Typed settings of the USB provisioner, read once from the environment.

    DEEPRACER_USB_RUN_DIR      socket, status file and lock    default <state_dir>/run/usb
                                                               (the systemd units use /run/deepracer-usb)
    DEEPRACER_USB_MOUNT_ROOT   private mount points            default <run dir>/mnt
    DEEPRACER_USB_LEDS         auto | gpio | none              default auto
    DEEPRACER_USB_MAX_HOLD_S   longest a subscriber may keep a drive mounted (s)   default 600

The artifacts folder (models) is `runtime.paths.artifacts_dir()`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from runtime.paths import artifacts_dir, state_dir

LED_MODES = ("auto", "gpio", "none")


@dataclass(frozen=True)
class ProvisionerSettings:
    run_dir: Path
    mount_root: Path
    artifacts_dir: Path
    leds: str = "auto"
    max_hold_s: float = 600.0

    @property
    def socket_path(self) -> Path:
        return self.run_dir / "usb-provisioner.sock"

    @property
    def status_path(self) -> Path:
        return self.run_dir / "status.json"

    @property
    def lock_path(self) -> Path:
        return self.run_dir / "owner.lock"

    @classmethod
    def from_env(cls) -> ProvisionerSettings:
        run_dir = Path(os.environ.get("DEEPRACER_USB_RUN_DIR") or state_dir() / "run" / "usb")
        mount_root = Path(os.environ.get("DEEPRACER_USB_MOUNT_ROOT") or run_dir / "mnt")
        leds = os.environ.get("DEEPRACER_USB_LEDS", "auto").strip().lower() or "auto"
        if leds not in LED_MODES:
            raise ValueError(f"DEEPRACER_USB_LEDS must be one of {', '.join(LED_MODES)}, not {leds!r}")
        raw_hold = os.environ.get("DEEPRACER_USB_MAX_HOLD_S", "600").strip()
        try:
            max_hold = float(raw_hold)
        except ValueError:
            raise ValueError(f"DEEPRACER_USB_MAX_HOLD_S must be a number of seconds, not {raw_hold!r}") from None
        return cls(run_dir=run_dir, mount_root=mount_root, artifacts_dir=artifacts_dir(), leds=leds,
                   max_hold_s=max_hold)
