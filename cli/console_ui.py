"""`deepracer console-ui install DIR|ARCHIVE | builtin | enable | status [--json]`.

Installs another browser console (the community console, the original one, your own) on the car,
in the original's layout `<state>/lib/device_console/{templates,static}`; the device console serves
it at `/` from the next page load (no restart). `builtin` goes back to the built-in console (the
installed one is kept; `enable` switches back to it). The built-in console is always at `/builtin/`.
Exit status 0 on success, 1 with a one-line reason on stderr otherwise (nothing changed).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from cli.common import default_state_dir


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("console-ui", help="install another browser console, or go back to the built-in one",
                            description="Choose the browser console the car serves at /.")
    parser.add_argument("--state-dir", type=Path, default=None,
                        help="the car's state folder (default: DEEPRACER_STATE_DIR, /opt/aws/deepracer or var/)")
    actions = parser.add_subparsers(dest="ui_command", metavar="ACTION")
    actions.required = True
    p_install = actions.add_parser("install", help="install a console UI from a folder or a .tar.gz/.tgz/.tar/.zip "
                                                   "(templates/index.html + static/, or index.html + static/)")
    p_install.add_argument("source", type=Path, help="folder or archive of the UI")
    p_install.set_defaults(func=cmd_install)
    p_builtin = actions.add_parser("builtin", help="serve the built-in console again (the installed UI is kept)")
    p_builtin.set_defaults(func=cmd_builtin)
    p_enable = actions.add_parser("enable", help="serve the installed UI again (after `builtin`)")
    p_enable.set_defaults(func=cmd_enable)
    p_status = actions.add_parser("status", help="which console the car serves")
    p_status.add_argument("--json", action="store_true", help="machine-readable output")
    p_status.set_defaults(func=cmd_status)


def _state(args: argparse.Namespace) -> Path:
    return args.state_dir if args.state_dir else default_state_dir()


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def cmd_install(args: argparse.Namespace) -> int:
    from device_console.ui.bundle import UiBundleError, install_ui

    try:
        result = install_ui(args.source, _state(args))
    except UiBundleError as exc:
        return _fail(f"{exc}; the current console UI is unchanged")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    verb = "Replaced the installed console UI with" if result.replaced else "Installed console UI"
    print(f"{verb} {result.ui.name} ({result.files} files) in {result.ui.root}")
    print("The car serves it at / from the next page load; the built-in console stays at /builtin/")
    return 0


def cmd_builtin(args: argparse.Namespace) -> int:
    from device_console.ui.bundle import UiBundleError, use_builtin

    try:
        changed = use_builtin(_state(args))
    except UiBundleError as exc:
        return _fail(str(exc))
    print("The car serves the built-in console at /" + ("" if changed else " (it already did)"))
    if changed:
        print("The installed UI is kept: `deepracer console-ui enable` switches back to it")
    return 0


def cmd_enable(args: argparse.Namespace) -> int:
    from device_console.ui.bundle import UiBundleError, is_active, reactivate

    state = _state(args)
    if is_active(state):
        print("The installed console UI is already active")
        return 0
    try:
        ui = reactivate(state)
    except UiBundleError as exc:
        return _fail(str(exc))
    print(f"The car serves the installed console UI {ui.name} at / (the built-in one stays at /builtin/)")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from device_console.ui.bundle import ui_status

    status = ui_status(_state(args))
    if args.json:
        print(json.dumps(status, indent=2))
        return 0
    installed = status["installed"]
    if installed:
        when = installed.get("installed_at")
        stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(when)) if when else "unknown time"
        print(f"active: installed console UI {installed['name']} (installed {stamp}) in {installed['path']}")
    else:
        print("active: built-in console")
    if status["inactive"]:
        print(f"set aside: {status['inactive']['name']} (`deepracer console-ui enable` to use it)")
    print("the built-in console is always at /builtin/")
    return 0
