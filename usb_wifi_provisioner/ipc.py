"""A local socket between the USB provisioner service and the robot stack's usb_monitor node.

The service owns the drives (it runs whether or not the robot stack does); the node is a thin ROS
adapter: it forwards `usb_file_system_subscribe` and `usb_mount_point_manager` calls here and
publishes the notifications it receives. While a node that can drive LEDs is connected, the
service's LED effects go through it (the status_led node's services), so only one process
drives the LEDs; otherwise the service drives them itself.

Protocol: one JSON object per line over a Unix stream socket (root-only by default).
  node → service  {"op": "hello", "leds": bool}
                  {"op": "subscribe", "id": n, "file_name", "callback_name", "verify_name_exists"}
                  {"op": "mount_point", "id": n, "node_name", "action"}
                  {"op": "status", "id": n}
  service → node  {"id": n, "error": int} | {"id": n, "status": {...}}
                  {"event": "notification", "path", "file_name", "callback_name", "node_name"}
                  {"event": "led", "kind": "blink", "led_index", "color1", "color2", "delay"}
                  {"event": "led", "kind": "solid", "led_index", "color", "hold"}
A connection's subscriptions and mount references end with the connection.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from usb_wifi_provisioner.drive_queue import Notification, UsbEngine
from usb_wifi_provisioner.leds import LedControl, NullLeds

log = logging.getLogger(__name__)

MAX_LINE = 64 * 1024


class _Connection:
    def __init__(self, sock: socket.socket, cid: str) -> None:
        self.sock = sock
        self.id = cid
        self.leds = False
        self._wlock = threading.Lock()

    def send(self, obj: dict[str, Any]) -> None:
        data = (json.dumps(obj) + "\n").encode()
        with self._wlock:
            self.sock.sendall(data)


class LedRouter:
    """LedControl that sends effects to a connected LED-capable node, else to `fallback`."""

    def __init__(self, fallback: LedControl | None = None) -> None:
        self.fallback: LedControl = fallback if fallback is not None else NullLeds()
        self._target: _Connection | None = None
        self._lock = threading.Lock()

    @property
    def attached(self) -> bool:
        with self._lock:
            return self._target is not None

    def attach(self, conn: _Connection) -> None:
        with self._lock:
            self._target = conn

    def detach(self, conn: _Connection) -> None:
        with self._lock:
            if self._target is conn:
                self._target = None

    def _send(self, obj: dict[str, Any]) -> bool:
        with self._lock:
            target = self._target
        if target is None:
            return False
        try:
            target.send(obj)
            return True
        except OSError:
            self.detach(target)
            return False

    def blink(self, led_index: int, color1: str, color2: str, delay: float) -> None:
        if not self._send({"event": "led", "kind": "blink", "led_index": led_index, "color1": color1,
                           "color2": color2, "delay": delay}):
            self.fallback.blink(led_index, color1, color2, delay)

    def solid(self, led_index: int, color: str, hold: float) -> None:
        if not self._send({"event": "led", "kind": "solid", "led_index": led_index, "color": color,
                           "hold": hold}):
            self.fallback.solid(led_index, color, hold)


class BridgeServer:
    def __init__(self, path: Path, engine: UsbEngine, leds: LedRouter | None = None, mode: int = 0o600) -> None:
        self.path = Path(path)
        self.engine = engine
        self.leds = leds
        self.mode = mode
        self._sock: socket.socket | None = None
        self._conns: dict[str, _Connection] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._stopping = threading.Event()

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(self.path))
        os.chmod(self.path, self.mode)
        sock.listen(8)
        self._sock = sock
        threading.Thread(target=self._accept, name="usb-bridge", daemon=True).start()

    def notify(self, owner: str, note: Notification) -> None:
        """Engine callback: deliver a notification to the connection that subscribed."""
        with self._lock:
            conn = self._conns.get(owner)
        if conn is None:
            raise ConnectionError(f"{owner} is not connected")
        conn.send({"event": "notification", **note.as_dict()})

    def _accept(self) -> None:
        assert self._sock is not None
        while not self._stopping.is_set():
            try:
                client, _addr = self._sock.accept()
            except OSError:
                return
            conn = _Connection(client, f"bridge-{next(self._ids)}")
            with self._lock:
                self._conns[conn.id] = conn
            threading.Thread(target=self._serve, args=(conn,), name=conn.id, daemon=True).start()

    def _serve(self, conn: _Connection) -> None:
        log.info("%s connected", conn.id)
        reader = conn.sock.makefile("rb")
        try:
            for raw in reader:
                if len(raw) > MAX_LINE:
                    break
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(msg, dict):
                    self._handle(conn, msg)
        except OSError:
            pass
        finally:
            log.info("%s disconnected", conn.id)
            with self._lock:
                self._conns.pop(conn.id, None)
            if self.leds is not None:
                self.leds.detach(conn)
            self.engine.release_owner(conn.id)
            try:
                conn.sock.close()
            except OSError:
                pass

    def _handle(self, conn: _Connection, msg: dict[str, Any]) -> None:
        op = msg.get("op")
        rid = msg.get("id")
        if op == "hello":  # may be repeated when the node's LED services come and go
            conn.leds = bool(msg.get("leds"))
            if self.leds is not None:
                (self.leds.attach if conn.leds else self.leds.detach)(conn)
            return
        if op == "subscribe":
            error = self.engine.subscribe(str(msg.get("file_name", "")), str(msg.get("callback_name", "")),
                                          bool(msg.get("verify_name_exists", True)), conn.id)
            reply: dict[str, Any] = {"id": rid, "error": error}
        elif op == "mount_point":
            try:
                action = int(msg.get("action", -1))
            except (TypeError, ValueError):
                action = -1
            reply = {"id": rid, "error": self.engine.mount_point_manager(str(msg.get("node_name", "")), action,
                                                                         conn.id)}
        elif op == "status":
            status = self.engine.status()
            status["led_bridge"] = bool(self.leds is not None and self.leds.attached)
            reply = {"id": rid, "status": status}
        else:
            reply = {"id": rid, "error": 1}
        try:
            conn.send(reply)
        except OSError:
            pass

    def stop(self) -> None:
        self._stopping.set()
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None
        with self._lock:
            conns = list(self._conns.values())
        for conn in conns:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass


class BridgeClient:
    """The node's end. `on_notification(dict)` and `on_led(dict)` run on the reader thread."""

    def __init__(self, path: Path, on_notification: Callable[[dict[str, Any]], None],
                 on_led: Callable[[dict[str, Any]], None] | None = None,
                 on_disconnect: Callable[[], None] | None = None, leds_ready: bool = True) -> None:
        self.path = Path(path)
        self.on_notification = on_notification
        self.on_led = on_led
        self.on_disconnect = on_disconnect
        self.leds_ready = leds_ready and on_led is not None
        self._sock: socket.socket | None = None
        self._wlock = threading.Lock()
        self._ids = itertools.count(1)
        self._waiting: dict[int, tuple[threading.Event, list[dict[str, Any]]]] = {}
        self._lock = threading.Lock()

    @property
    def connected(self) -> bool:
        return self._sock is not None

    def connect(self, timeout: float = 2.0) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(str(self.path))
        except OSError:
            sock.close()
            raise
        sock.settimeout(None)
        self._sock = sock
        threading.Thread(target=self._read, args=(sock,), name="usb-bridge-client", daemon=True).start()
        self.hello(self.leds_ready)

    def hello(self, leds: bool) -> None:
        """Tell the service whether this end plays its LED effects (else it drives them itself)."""
        self.leds_ready = bool(leds) and self.on_led is not None
        self._send({"op": "hello", "leds": self.leds_ready})

    def _send(self, obj: dict[str, Any]) -> None:
        sock = self._sock
        if sock is None:
            raise ConnectionError("not connected to the USB provisioner")
        with self._wlock:
            sock.sendall((json.dumps(obj) + "\n").encode())

    def request(self, obj: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
        rid = next(self._ids)
        event = threading.Event()
        box: list[dict[str, Any]] = []
        with self._lock:
            self._waiting[rid] = (event, box)
        try:
            self._send({**obj, "id": rid})
            if not event.wait(timeout) or not box:
                raise TimeoutError(f"the USB provisioner did not answer {obj.get('op')} within {timeout} s")
            return box[0]
        finally:
            with self._lock:
                self._waiting.pop(rid, None)

    def subscribe(self, file_name: str, callback_name: str, verify_name_exists: bool) -> int:
        reply = self.request({"op": "subscribe", "file_name": file_name, "callback_name": callback_name,
                              "verify_name_exists": verify_name_exists})
        return int(reply.get("error", 1))

    def mount_point(self, node_name: str, action: int) -> int:
        reply = self.request({"op": "mount_point", "node_name": node_name, "action": action})
        return int(reply.get("error", 1))

    def status(self) -> dict[str, Any]:
        return dict(self.request({"op": "status"}).get("status", {}))

    def _read(self, sock: socket.socket) -> None:
        reader = sock.makefile("rb")
        try:
            for raw in reader:
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(msg, dict):
                    continue
                event = msg.get("event")
                try:
                    if event == "notification":
                        self.on_notification(msg)
                    elif event == "led":
                        if self.on_led is not None:
                            self.on_led(msg)
                    elif "id" in msg:
                        with self._lock:
                            waiting = self._waiting.get(msg["id"])
                        if waiting is not None:
                            waiting[1].append(msg)
                            waiting[0].set()
                except Exception:
                    log.exception("USB bridge message %r failed", event or msg.get("id"))
        except OSError:
            pass
        finally:
            if self._sock is sock:
                self._sock = None
            try:
                sock.close()
            except OSError:
                pass
            if self.on_disconnect is not None:
                self.on_disconnect()

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
