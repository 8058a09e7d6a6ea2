"""First set-up (ours): when the console opens its first-run wizard, and the QR code of the car's address.

- `GET /api/setup_wizard` → `{"success", "show", "wifi_configured", "via_usb", "dismissed", "hostname"}`:
  the wizard opens by itself (`show`) on a car with no Wi-Fi set up (not associated and no Wi-Fi
  profile stored; `wifi_configured` is null when NetworkManager did not answer, and then it does not
  open) or when the console was reached as `https://deepracer.aws` (over the USB cable), until it is
  finished or skipped once.
- `POST /api/setup_wizard` `{"dismissed": true|false}`: finished/skipped (it no longer opens by
  itself; Settings → "First set-up" always opens it), or back to opening by itself.
- `GET /api/car_address_qr.svg?url=http(s)://<address>[:port]/`: the QR code (SVG, made by `segno`)
  of a URL of this car: its host must be one of the car's addresses or its name (`<host>`,
  `<host>.local`); anything else is refused, so this is not a QR service for any text.
"""

from __future__ import annotations

import io
import json
import logging
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from device_console.api.answers import fail, ok
from device_console.api.bodies import SetupWizard
from device_console.api.deps import ConsoleDep, require_session
from device_console.console import Console
from runtime.atomic import atomic_write_json

log = logging.getLogger(__name__)
router = APIRouter(tags=["setup"], dependencies=[Depends(require_session)])
USB_HOST = "deepracer.aws"
STATE_FILE = "setup_wizard.json"
MAX_URL = 256


def _state_file(console: Console) -> Path:
    return Path(console.settings.state_dir) / STATE_FILE


def _dismissed(path: Path) -> bool:
    try:
        return bool(json.loads(path.read_text()).get("dismissed", False))
    except (OSError, ValueError, AttributeError):
        return False


def _wifi_configured(network: Any) -> bool | None:
    """Associated now or a Wi-Fi profile stored (None: unknown, NetworkManager did not answer)."""
    check = getattr(network, "wifi_configured", None)
    if check is None:  # a network backend without profiles: associated or not
        return bool(network.current_ssid())
    result: bool | None = check()
    return result


@router.get("/api/setup_wizard")
async def setup_wizard(request: Request, console: ConsoleDep) -> dict[str, Any]:
    configured = await anyio.to_thread.run_sync(_wifi_configured, console.network)
    dismissed = await anyio.to_thread.run_sync(_dismissed, _state_file(console))
    via_usb = (request.url.hostname or "").lower() == USB_HOST
    show = not dismissed and (configured is False or via_usb)
    return ok(show=show, wifi_configured=configured, via_usb=via_usb, dismissed=dismissed,
              hostname=socket.gethostname())


@router.post("/api/setup_wizard")
async def set_setup_wizard(body: SetupWizard, console: ConsoleDep) -> dict[str, Any]:
    value = body.dismissed
    await anyio.to_thread.run_sync(atomic_write_json, _state_file(console), {"dismissed": value})
    return ok(dismissed=value)


def _car_names(addresses: list[str]) -> set[str]:
    host = socket.gethostname().lower()
    short = host.split(".", 1)[0]
    return {*addresses, host, f"{short}.local"}


def check_car_url(url: str, addresses: list[str]) -> str | None:
    """Why `url` is not an address of this car (None: it is)."""
    if len(url) > MAX_URL:
        return "url is too long"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "url is not a URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "url must be http(s)://<address of the car>/"
    if parts.username or parts.password or parts.query or parts.fragment or parts.path not in ("", "/"):
        return "url must be the car's address only"
    if parts.hostname.lower() not in _car_names(addresses):
        return "url is not an address of this car"
    if port is not None and not 0 < port < 65536:
        return "url has no valid port"
    return None


def qr_svg(text: str) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="svg", scale=8, border=4, dark="#000", light="#fff",
                                                 xmldecl=False, title="Address of the car")
    return out.getvalue()


@router.get("/api/car_address_qr.svg", response_model=None)
async def car_address_qr(console: ConsoleDep, url: str = "") -> Response | JSONResponse:
    addresses: list[str] = await anyio.to_thread.run_sync(console.network.ip_addresses)
    problem = check_car_url(url, addresses)
    if problem is not None:
        return JSONResponse(fail(problem), status_code=400)
    svg = await anyio.to_thread.run_sync(qr_svg, url)
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
