"""`deepracer`: the car's command line.

    deepracer run [--sim | --hardware]   start the whole stack (Ctrl-C stops it, actuators neutral)
    deepracer status [--json]            processes, node health, topics and versions

Further subcommands are contributed by modules `cli/<name>.py` that define `register(subparsers)`
(models, usb, install, ...), so each feature's command lives beside the code it drives.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

import cli

_CORE = {"deepracer", "ros2", "run", "status", "common"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="deepracer", description="DeepRacer open on-vehicle stack")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    from cli import run as run_cmd
    from cli import status as status_cmd

    run_cmd.register(sub)
    status_cmd.register(sub)
    for info in sorted(pkgutil.iter_modules(cli.__path__), key=lambda m: m.name):
        if info.name in _CORE or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
    except KeyboardInterrupt:
        code = 130
    sys.stdout.flush()
    os._exit(code or 0) if getattr(args, "hard_exit", False) else sys.exit(code or 0)


if __name__ == "__main__":
    main()
