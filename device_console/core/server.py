"""Serving the console with uvicorn: HTTP and HTTPS side by side in one event loop.

On the car: HTTPS on 443 with the device certificate, and HTTP on 80 answering every request
with a redirect to HTTPS (as the original nginx). In `make run` (simulated car): the full console on
http://127.0.0.1:8080 and https://127.0.0.1:8443.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("device_console.server")

# A client whose connection died without a FIN (Wi-Fi lost, phone off) is noticed in seconds, not
# after the kernel's default two hours of keepalive or 15 minutes of retransmissions: keepalive
# probes on idle connections, and TCP_USER_TIMEOUT for data the peer neither acknowledges nor
# makes room for (it stopped reading). The drive supervisor stops a car whose driver's video
# stream connection is lost this way.
KEEPALIVE_IDLE_S = 2
KEEPALIVE_INTERVAL_S = 1
KEEPALIVE_COUNT = 3
USER_TIMEOUT_MS = 5000


def detect_dead_peers(sock: Any) -> None:
    """Keepalive and TCP_USER_TIMEOUT on an accepted TCP socket (Linux; a no-op where unsupported)."""
    import socket

    if sock is None or getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
        return
    options = [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
    for name, value in (("TCP_KEEPIDLE", KEEPALIVE_IDLE_S), ("TCP_KEEPINTVL", KEEPALIVE_INTERVAL_S),
                        ("TCP_KEEPCNT", KEEPALIVE_COUNT), ("TCP_USER_TIMEOUT", USER_TIMEOUT_MS)):
        if hasattr(socket, name):
            options.append((socket.IPPROTO_TCP, getattr(socket, name), value))
    for level, option, value in options:
        try:
            sock.setsockopt(level, option, value)
        except OSError:
            pass


class DeadPeerH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with dead-peer detection on every accepted connection (the
    WebSocket protocol takes the same socket over on an upgrade)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        detect_dead_peers(transport.get_extra_info("socket"))


@dataclass(frozen=True)
class ServeOptions:
    host: str = "0.0.0.0"
    http_port: int | None = 8080  # None: no plain HTTP listener
    https_port: int | None = 8443  # None: no HTTPS listener
    http_redirects: bool = False  # plain HTTP only redirects to HTTPS (the car)
    certfile: Path | None = None
    keyfile: Path | None = None
    graceful_timeout_s: float = 2.0


def https_redirect_app(https_port: int) -> Callable[[Scope, Receive, Send], Any]:
    """ASGI app answering everything with 302 to the same host and path over HTTPS."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        host = ""
        for name, value in scope["headers"]:
            if name == b"host":
                host = value.decode("latin-1")
                break
        if host.startswith("["):
            hostname = host.split("]", 1)[0] + "]"
        else:
            hostname = host.split(":", 1)[0]
        hostname = hostname or (scope.get("server") or ("localhost", 0))[0]
        port = "" if https_port == 443 else f":{https_port}"
        target = f"https://{hostname}{port}{scope.get('raw_path', b'').decode('latin-1') or scope['path']}"
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        await send({"type": "http.response.start", "status": 302,
                    "headers": [(b"location", target.encode("latin-1")), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    return app


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to `serve()` (several servers share one loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _config(app: Any, host: str, port: int, lifespan: str, opts: ServeOptions, tls: bool) -> uvicorn.Config:
    kwargs: dict[str, Any] = {
        "host": host, "port": port, "lifespan": lifespan, "log_level": "info", "access_log": False,
        "server_header": False, "proxy_headers": False, "http": DeadPeerH11Protocol, "ws": "wsproto",
        "timeout_graceful_shutdown": opts.graceful_timeout_s, "timeout_keep_alive": 10,
    }
    if tls:
        kwargs.update(ssl_certfile=str(opts.certfile), ssl_keyfile=str(opts.keyfile))
    return uvicorn.Config(app, **kwargs)


def build_servers(app: Any, opts: ServeOptions) -> list[uvicorn.Server]:
    servers: list[uvicorn.Server] = []
    app_lifespan = "on"  # the console app's lifespan runs once, on the first server that serves it
    if opts.https_port is not None:
        if opts.certfile is None or opts.keyfile is None:
            raise ValueError("HTTPS needs a certificate and key")
        servers.append(_Server(_config(app, opts.host, opts.https_port, app_lifespan, opts, tls=True)))
        app_lifespan = "off"
    if opts.http_port is not None:
        if opts.http_redirects and opts.https_port is not None:
            servers.append(_Server(_config(https_redirect_app(opts.https_port), opts.host, opts.http_port,
                                           "off", opts, tls=False)))
        else:
            servers.append(_Server(_config(app, opts.host, opts.http_port, app_lifespan, opts, tls=False)))
    if not servers:
        raise ValueError("nothing to serve: no HTTP and no HTTPS port")
    return servers


async def serve_async(servers: list[uvicorn.Server], stop: asyncio.Event | None = None,
                      on_stopping: Callable[[], None] | None = None) -> None:
    """Run the servers until `stop` is set or one of them exits.

    `on_stopping` runs first, so endless responses (streams) can end before the graceful timeout.
    """
    stop = stop or asyncio.Event()

    async def watch() -> None:
        await stop.wait()
        if on_stopping is not None:
            on_stopping()
        for server in servers:
            server.should_exit = True

    watcher = asyncio.create_task(watch())
    try:
        tasks = [asyncio.create_task(server.serve()) for server in servers]
        done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        if not stop.is_set() and on_stopping is not None:
            on_stopping()
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            if task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        watcher.cancel()


def serve(app: Any, opts: ServeOptions, on_started: Callable[[], None] | None = None,
          on_stopping: Callable[[], None] | None = None) -> None:
    """Blocking: serve until SIGINT/SIGTERM (must run in the main thread for the signals)."""
    servers = build_servers(app, opts)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
        if on_started is not None:
            async def announce() -> None:
                while not all(s.started for s in servers):
                    if any(s.should_exit for s in servers):
                        return
                    await asyncio.sleep(0.05)
                on_started()

            asyncio.create_task(announce())
        await serve_async(servers, stop, on_stopping)

    asyncio.run(main())
