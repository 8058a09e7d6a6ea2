"""`deepracer update`: software updates from a bundle file or a package index, with rollback.

    deepracer update --check   [--index LOC]            is a newer release offered (exit 0; JSON with --json)
    deepracer update --install [BUNDLE] [--index LOC] [--force]
                                                         BUNDLE: a deepracer-<version>.tar.gz; without it
                                                         the newest release of the index
    deepracer update --status [--json]                   the last update's progress / outcome
    deepracer update --recover                           roll back a trial a power cut interrupted
                                                         (deepracer-core runs it before it starts)
    deepracer update --health [--json]                   check the running stack now

The index (`--index`, else DEEPRACER_UPDATE_INDEX) is a folder or an http(s) URL with index.json
(see updates/sources.py). Releases go to `<prefix>/releases/<version>` (`--prefix`, else
DEEPRACER_PREFIX, else /opt/deepracer); deepracer-core is restarted with systemctl and must pass the
health check within 60 s, otherwise the previous release comes back by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("update", help="install a software update (bundle or package index), with rollback")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="is a newer release offered by the index")
    action.add_argument("--install", nargs="?", const="", metavar="BUNDLE",
                        help="install BUNDLE, or the newest release of the index")
    action.add_argument("--status", action="store_true", help="progress or outcome of the last update")
    action.add_argument("--recover", action="store_true", help="roll back an update a power cut interrupted")
    action.add_argument("--health", action="store_true", help="check the running stack now")
    parser.add_argument("--index", default=os.environ.get("DEEPRACER_UPDATE_INDEX", ""),
                        help="package index: folder or http(s) URL with index.json")
    parser.add_argument("--prefix", type=Path, default=None, help="where releases are installed")
    parser.add_argument("--force", action="store_true", help="allow a downgrade or reinstalling the same version")
    parser.add_argument("--console-url", default=os.environ.get("DEEPRACER_CONSOLE_URL", "http://127.0.0.1"),
                        help="the console the health check asks")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run_update)


def _prefix(args: argparse.Namespace) -> Path:
    from runtime.paths import install_prefix

    return Path(args.prefix) if args.prefix else install_prefix()


def installed_version() -> str | None:
    from importlib import metadata

    try:
        return metadata.version("deepracer-open-stack")
    except metadata.PackageNotFoundError:
        return None


def _ros_graph(expected: set[str], wait: float) -> set[str]:
    from cli.status import ros_graph

    seen, _topics = ros_graph(expected, wait)
    return seen


def _sysfs() -> Path | None:
    value = os.environ.get("DEEPRACER_SYSFS_ROOT")
    return Path(value) if value else None  # none given: the stack's own (/sys, or the simulated car's)


def make_health(console_url: str) -> Any:
    from runtime.paths import state_dir
    from updates.health import StackHealth

    def health(since: float) -> Any:
        checker = StackHealth(state_dir(), console_url, _sysfs(), since=since, graph=_ros_graph)
        return checker.wait_healthy()

    return health


def make_updater(prefix: Path, console_url: str) -> Any:
    from updates.releases import ReleaseStore
    from updates.updater import Updater, systemd_restart

    return Updater(ReleaseStore(prefix), restart=systemd_restart, health=make_health(console_url),
                   fallback_version=installed_version)


def _out(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    print(json.dumps(data, sort_keys=True) if args.json else text, flush=True)


def run_update(args: argparse.Namespace) -> int:
    from updates.bundle import BundleError
    from updates.updater import UpdateError, read_status

    prefix = _prefix(args)
    try:
        if args.status:
            status = read_status(prefix)
            _out(args, status, f"{status.get('state')} {status.get('pct', 0):.0f} % {status.get('message', '')} "
                               f"{status.get('error', '')}".strip())
            return 0
        if args.health:
            return _health(args)
        updater = make_updater(prefix, args.console_url)
        if args.recover:
            done = updater.recover()
            _out(args, {"recovered": done}, done or "nothing to recover")
            return 0
        if args.check:
            return _check(args, updater)
        return _install(args, updater, prefix)
    except (UpdateError, BundleError, OSError, ValueError) as exc:
        _out(args, {"error": str(exc)}, f"update failed: {exc}")
        return 1


def _health(args: argparse.Namespace) -> int:
    from runtime.paths import state_dir
    from updates.health import StackHealth

    report = StackHealth(state_dir(), args.console_url, _sysfs(), graph=_ros_graph).check()
    _out(args, {"healthy": report.healthy, "problems": report.problems},
         "healthy" if report.healthy else "not healthy:\n  " + "\n  ".join(report.problems))
    return 0 if report.healthy else 1


def _check(args: argparse.Namespace, updater: Any) -> int:
    from updates.sources import newest, read_index

    if not args.index:
        raise ValueError("no package index: pass --index or set DEEPRACER_UPDATE_INDEX")
    running = updater.running_version()
    offer = newest(read_index(args.index), running)
    _out(args, {"current": running, "available": offer.version if offer else None},
         f"running {running or 'unknown'}; " + (f"{offer.version} is available" if offer else "up to date"))
    return 0


def _install(args: argparse.Namespace, updater: Any, prefix: Path) -> int:
    from updates.sources import fetch, newest, read_index

    if args.install:
        archive = Path(args.install)
    else:
        if not args.index:
            raise ValueError("name a bundle, or a package index with --index / DEEPRACER_UPDATE_INDEX")
        offer = newest(read_index(args.index), updater.running_version())
        if offer is None:
            _out(args, {"current": updater.running_version(), "installed": None}, "already up to date")
            return 0
        updater._status("downloading", 0, version=offer.version, message=f"downloading {offer.version}")
        archive = fetch(offer, prefix / "downloads",
                        lambda f: updater._status("downloading", 50 * f, version=offer.version,
                                                  message=f"downloading {offer.version}"))
    started = time.monotonic()
    result = updater.install_bundle(archive, force=args.force)
    _out(args, {"installed": result.version, "previous": result.previous, "seconds": round(time.monotonic() - started)},
         result.message)
    return 0
