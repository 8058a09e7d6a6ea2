"""`deepracer hostname`: the car's name on the network.

    deepracer hostname                 the name, the chassis serial and what the first boot did
    deepracer hostname set NAME        the owner's name for the car (kept for ever: never reset to the serial)
    deepracer hostname first-boot      name the car after its chassis serial, once, if it still has a
                                       factory name (deepracer-core.service runs it before the stack)
"""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("hostname", help="the car's name: show it, set it, or name it after its serial once")
    host_sub = parser.add_subparsers(dest="hostname_command", metavar="ACTION")
    parser.set_defaults(func=show)
    set_cmd = host_sub.add_parser("set", help="give the car a name (letters, digits, '-'); the serial never replaces it")
    set_cmd.add_argument("name")
    set_cmd.set_defaults(func=set_name)
    first = host_sub.add_parser("first-boot", help="on the first start only: name the car after its chassis serial")
    first.set_defaults(func=first_boot)


def show(args: argparse.Namespace) -> int:
    from drivers import hostname

    try:
        record = json.loads(hostname.marker_file().read_text())
    except (OSError, ValueError):
        record = {}
    print(f"hostname: {hostname.default_backend().current()}")
    print(f"chassis serial: {hostname.chassis_serial() or '(none)'}")
    print(f"first boot: {record.get('first_boot', 'not yet')}")
    return 0


def set_name(args: argparse.Namespace) -> int:
    from drivers import hostname

    try:
        name = hostname.set_hostname(args.name)
    except hostname.HostnameError as exc:
        print(f"error: {exc}")
        return 2
    print(f"The car is now called {name} (reachable as {name}.local); the console's certificate follows at "
          "the next start of the stack.")
    return 0


def first_boot(args: argparse.Namespace) -> int:
    from drivers import hostname

    try:
        result = hostname.first_boot()
    except hostname.HostnameError as exc:
        print(f"error: {exc}")
        return 1
    messages = {
        "renamed": f"The car is now called {result.hostname}, after its chassis serial {result.serial}.",
        "kept": f"The car keeps its name {result.hostname}.",
        "no-serial": f"No chassis serial found; the car keeps its name {result.hostname}.",
        "done-before": f"Not the first boot; the car keeps its name {result.hostname}.",
    }
    print(messages[result.action])
    return 0
