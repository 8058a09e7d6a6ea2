"""webserver_publisher_node: the device console's process (the console with its ROS 2 bridge).

`python -m webserver_pkg.webserver_publisher_node [--port N] [--https-port N] [--host H]` spins the
bridge (`webserver_pkg.bridge.WebserverPublisherNode`) on rclpy's EventsExecutor in a background
thread and serves the console with uvicorn in the main thread.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

import rclpy
from node_host.host import make_executor
from rclpy.executors import ExternalShutdownException, ShutdownException

from webserver_pkg.bridge import WebserverPublisherNode

__all__ = ["WebserverPublisherNode", "console_urls", "main", "parse_args", "spin_until_shutdown"]


# -- process entry point ----------------------------------------------------------------------------
def _split_ros_args(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    args = list(argv)
    if "--ros-args" in args:
        i = args.index("--ros-args")
        return args[:i], args[i:]
    return args, []


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="webserver_publisher_node",
                                     description="The DeepRacer device console (web server + ROS bridge).")
    parser.add_argument("--port", type=int, default=None,
                        help="HTTP port (default: 80 redirecting to HTTPS on the car, 8080 on the simulated car)")
    parser.add_argument("--https-port", type=int, default=None,
                        help="HTTPS port (default: 443 on the car, 8443 simulated; 0 = no HTTPS)")
    parser.add_argument("--host", default=None, help="address to listen on (default 0.0.0.0)")
    parser.add_argument("--http-redirect", choices=("auto", "yes", "no"), default="auto",
                        help="plain HTTP only redirects to HTTPS (auto: yes on the car, no on the simulated car)")
    return parser.parse_args(list(argv))


def console_urls(host: str, http_port: int | None, https_port: int | None) -> list[str]:
    addresses = ["127.0.0.1"]
    if host not in ("0.0.0.0", "::", "127.0.0.1", "localhost"):
        addresses = [host]
    elif host != "127.0.0.1":
        try:
            from drivers.network import ip_addresses

            addresses += [a for a in ip_addresses() if a not in addresses]
        except Exception:  # no network tools: the loopback URL is enough
            pass
    urls = []
    for address in addresses:
        if https_port:
            urls.append(f"https://{address}" + ("" if https_port == 443 else f":{https_port}"))
        if http_port:
            urls.append(f"http://{address}" + ("" if http_port == 80 else f":{http_port}"))
    return urls


def spin_until_shutdown(executor: Any, context: Any, stop: threading.Event, max_failures: int = 50) -> None:
    """Spin the bridge's executor in its thread until the context shuts down.

    A stream subscription destroyed from the web server's thread (the last viewer left) while the
    executor builds its wait set raises InvalidHandle once; a plain `executor.spin()` died of it and
    every later service call of the console timed out, with the process alive so nobody restarted it.
    Such an error is logged and spinning goes on; if spinning keeps failing, the console stops itself
    (SIGTERM) so the launcher restarts it, instead of serving pages that cannot reach the car."""
    failures = 0
    while context.ok() and not stop.is_set():
        try:
            executor.spin_once(timeout_sec=0.1)
            failures = 0
        except (ExternalShutdownException, ShutdownException):
            return
        except Exception as exc:
            if stop.is_set() or not context.ok():
                return
            failures += 1
            print(f"[webserver_publisher_node] ROS executor: {exc!r}; spinning on", file=sys.stderr, flush=True)
            if failures >= max_failures:
                print("[webserver_publisher_node] the ROS executor keeps failing; stopping the console",
                      file=sys.stderr, flush=True)
                os.kill(os.getpid(), signal.SIGTERM)
                return


def main(args: Sequence[str] | None = None) -> int:
    from device_console.console import build_console
    from device_console.core.config import ConsoleSettings
    from device_console.core.server import ServeOptions, serve
    from device_console.core.tls import ensure_certificate
    from device_console.main import create_app

    argv = list(sys.argv[1:] if args is None else args)
    own, ros_args = _split_ros_args(argv)
    opts = parse_args(own)
    settings = ConsoleSettings.from_env()

    context = rclpy.Context()
    rclpy.init(args=[sys.argv[0], *ros_args], context=context,
               signal_handler_options=rclpy.signals.SignalHandlerOptions.NO)
    node = WebserverPublisherNode(context=context)
    executor = make_executor("events", context)
    executor.add_node(node)
    stop_spinning = threading.Event()
    spinner = threading.Thread(target=spin_until_shutdown, args=(executor, context, stop_spinning),
                               name="rclpy-spin", daemon=True)
    spinner.start()
    code = 0
    try:
        simulated = settings.simulated
        param_port = int(node.get_parameter("port").value)
        param_https = int(node.get_parameter("https_port").value)
        http_port = opts.port if opts.port is not None else (param_port if param_port >= 0 else
                                                             (8080 if simulated else 80))
        https_port = opts.https_port if opts.https_port is not None else (param_https if param_https >= 0 else
                                                                          (8443 if simulated else 443))
        host = opts.host or str(node.get_parameter("host").value)
        redirect = {"yes": True, "no": False}.get(opts.http_redirect, not simulated)
        certfile = keyfile = None
        if https_port:
            certfile, keyfile = ensure_certificate(settings.certs_dir)
        console = build_console(settings, node)
        app = create_app(console=console)
        urls = console_urls(host, http_port or None, https_port or None)

        def announce() -> None:
            print("Device console: " + "  ".join(urls), flush=True)
            if console.passwords.is_default():
                default = console.passwords.default_password()
                if default == "deepracer":
                    print("Console password: deepracer (until you change it under Settings)", flush=True)
                else:
                    print("Console password: the one printed on the bottom of the car", flush=True)

        serve(app, ServeOptions(host=host, http_port=http_port or None, https_port=https_port or None,
                                http_redirects=redirect and bool(https_port), certfile=certfile,
                                keyfile=keyfile), on_started=announce, on_stopping=console.begin_shutdown)
    except KeyboardInterrupt:
        pass
    except Exception as exc:
        code = 1
        print(f"[webserver_publisher_node] error: {exc!r}", file=sys.stderr, flush=True)
        raise
    finally:
        node.on_shutdown()
        time.sleep(0.05)  # let the stop command leave before the context goes
        stop_spinning.set()
        spinner.join(timeout=2.0)       # spin_once returns within 0.1 s; then the executor can go
        executor.shutdown(timeout_sec=2.0)
        node.destroy_node()
        if context.ok():
            rclpy.shutdown(context=context)
    return code


if __name__ == "__main__":
    sys.exit(main())
