"""`make bench`: run every `tests/bench/bench_*.py` `run()` in one go, print the figures and the
ratios, and write them all to build/bench.json (one key per figure)."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import platform
import sys
import time
import traceback
from pathlib import Path

import tests.bench as bench_pkg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--output", default="build/bench.json")
    parser.add_argument("--only", default=None, help="comma-separated bench module names (e.g. camera)")
    args = parser.parse_args(argv)
    only = {f"bench_{n.strip()}" for n in args.only.split(",")} if args.only else None
    # an isolated ROS graph, as for the tests: nothing else on the machine disturbs the figures
    from tests.support.ros import claim_domain_id, isolate_environment

    domain, _lock = claim_domain_id()
    isolate_environment(domain)
    figures: dict[str, float | str] = {
        "machine_python": platform.python_version(),
        "machine_cpus": float(__import__("os").cpu_count() or 0),
        # other work on the machine disturbs every figure: the 1-minute load before and after
        "machine_load_1min_before": round(__import__("os").getloadavg()[0], 2),
    }
    failures = []
    for info in sorted(pkgutil.iter_modules(bench_pkg.__path__), key=lambda m: m.name):
        if not info.name.startswith("bench_") or (only and info.name not in only):
            continue
        print(f"== {info.name}", flush=True)
        t0 = time.monotonic()
        try:
            result = importlib.import_module(f"tests.bench.{info.name}").run()
        except Exception:
            traceback.print_exc()
            failures.append(info.name)
            continue
        for key, value in result.items():
            figures[key] = value
            shown = f"{value:.3f}" if isinstance(value, float) else str(value)
            print(f"   {key:55s} {shown}", flush=True)
        print(f"   ({time.monotonic() - t0:.0f} s)", flush=True)
    figures["machine_load_1min_after"] = round(__import__("os").getloadavg()[0], 2)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    print(f"wrote {out}")
    if failures:
        print("FAILED benchmarks: " + ", ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
