"""The console app served by real uvicorn (device_console.core.server) on an ephemeral port, in a thread."""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path
from typing import Any

import httpx

from device_console.core.server import ServeOptions, build_servers, serve_async
from tests.support.ros import wait_until

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class LiveServer:
    def __init__(self, app: Any, certs: tuple[Path, Path] | None = None, graceful_timeout_s: float = 1.0) -> None:
        self.app = app
        opts = ServeOptions(host="127.0.0.1", http_port=None if certs else 0, https_port=0 if certs else None,
                            certfile=certs[0] if certs else None, keyfile=certs[1] if certs else None,
                            graceful_timeout_s=graceful_timeout_s)
        self.scheme = "https" if certs else "http"
        self.servers = build_servers(app, opts)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="live-console", daemon=True)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        try:
            console = getattr(getattr(self.app, "state", None), "console", None)
            self._loop.run_until_complete(serve_async(self.servers, self._stop,
                                                      console.begin_shutdown if console else None))
        except BaseException as exc:  # report to the test thread
            self._error = exc
        finally:
            self._loop.close()

    def __enter__(self) -> LiveServer:
        self._thread.start()
        wait_until(lambda: self._error is not None or all(s.started for s in self.servers), 20, "uvicorn start")
        if self._error is not None:
            raise self._error
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=15)

    @property
    def stopped(self) -> bool:
        return not self._thread.is_alive()

    @property
    def port(self) -> int:
        return int(self.servers[0].servers[0].sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def logged_in_client(self, password: str = "deepracer", **kwargs: Any) -> tuple[httpx.Client, str]:
        client = httpx.Client(base_url=self.url, verify=False, timeout=10, **kwargs)
        csrf = CSRF_META.search(client.get("/login").text).group(1)
        answer = client.post("/login", data={"password": password}, headers={"X-CSRFToken": csrf})
        assert answer.json() == {"redirect": "/home"}, answer.text
        return client, csrf
