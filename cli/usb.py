"""`deepracer usb`: the USB-stick processing by hand.

    deepracer usb process DIR [--leds auto|gpio|none] [--artifacts-dir DIR]
        process a mounted drive (or any folder) exactly as the USB provisioner does when a stick is
        plugged in: wifi-creds.txt, then models/, then device-status.txt
    deepracer usb serve [--drives-dir DIR] [--leds MODE]
        run the USB provisioner service in the foreground (systemd: deepracer-usb-provisioner.service)
    deepracer usb status [--json]
        what the USB provisioner service is doing (drives mounted, last result)
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("usb", help="process a USB drive folder (wifi-creds.txt, models/) by hand")
    usb_sub = parser.add_subparsers(dest="usb_command", metavar="ACTION")
    usb_sub.required = True
    proc = usb_sub.add_parser("process", help="process a mounted drive or a folder like a plugged-in stick")
    proc.add_argument("folder", type=Path, metavar="DIR")
    proc.add_argument("--leds", choices=("auto", "gpio", "none"), default="auto",
                      help="LED feedback: the car's LEDs when present (auto), always (gpio), never (none)")
    proc.add_argument("--artifacts-dir", type=Path, default=None,
                      help="where models are installed (default: <state dir>/artifacts)")
    proc.add_argument("-v", "--verbose", action="store_true")
    proc.set_defaults(func=process)
    serve = usb_sub.add_parser("serve", help="run the USB provisioner service (what systemd starts)")
    serve.add_argument("--drives-dir", default=None, help="sub-folders of DIR are drives (simulated car, tests)")
    serve.add_argument("--leds", choices=("auto", "gpio", "none"), default=None)
    serve.add_argument("--log-level", default=None)
    serve.set_defaults(func=_serve)
    status = usb_sub.add_parser("status", help="state of the USB provisioner service")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=show_status)


def _serve(args: argparse.Namespace) -> int:
    from usb_wifi_provisioner.daemon import main

    argv: list[str] = []
    for option in ("drives_dir", "leds", "log_level"):
        value = getattr(args, option)
        if value:
            argv += ["--" + option.replace("_", "-"), str(value)]
    return main(argv, prog="deepracer usb serve")


def process(args: argparse.Namespace) -> int:
    from usb_wifi_provisioner.daemon import make_direct_leds
    from usb_wifi_provisioner.provision import Provisioner

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    folder: Path = args.folder
    if not folder.is_dir():
        print(f"{folder} is not a folder (mount the USB drive first, e.g. sudo mount /dev/sda1 /mnt)")
        return 2
    provisioner = Provisioner(leds=make_direct_leds(args.leds), artifacts_dir=args.artifacts_dir)
    report = provisioner.process_drive(folder)
    if not report.handled:
        print(f"{folder}: no wifi-creds.txt and no models folder; nothing to do.")
        return 0
    for line in report.lines:
        print(line)
    for error in report.errors:
        print(f"error: {error}")
    if report.status_file is not None:
        print(f"Report written to {report.status_file}")
    return 0 if report.ok else 1


def show_status(args: argparse.Namespace) -> int:
    from usb_wifi_provisioner.drive_queue import read_status
    from usb_wifi_provisioner.settings import ProvisionerSettings

    settings = ProvisionerSettings.from_env()
    data = read_status(settings.status_path, max_age_s=float("inf"))
    if args.json:
        print(json.dumps(data, indent=2))
        return 0 if data else 1
    if not data:
        print(f"The USB provisioner is not running (no live status in {settings.status_path}).")
        return 1
    busy = [what for what in ("wifi", "models") if data.get(f"{what}_busy")]
    print(f"USB provisioner running (pid {data.get('pid')}): {'busy with ' + ', '.join(busy) if busy else 'idle'}")
    for name in data.get("mounted", []):
        print(f"  mounted: {name}")
    last = data.get("last") or {}
    if last:
        wifi = {True: "connected", False: "failed", None: "no wifi-creds.txt"}.get(last.get("wifi_ok"), "?")
        print(f"Last drive: {last.get('drive')}  Wi-Fi: {wifi} {last.get('ssid') or ''}".rstrip())
        for model in last.get("models", []):
            print(f"  model {model.get('file')}: {model.get('status')}")
    return 0
