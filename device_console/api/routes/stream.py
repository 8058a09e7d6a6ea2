"""`/route?topic=<topic>&width=&height=&quality=`: MJPEG (multipart/x-mixed-replace), as web_video_server.

Each stream is registered with the drive supervisor under its login session: a client of the
original car that drives while watching holds its last command while the stream is open, and the
car stops when the stream closes, its connection dies, or a frame cannot be delivered for
`stream_stall_s` (a client that stopped reading).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from device_console.api.deps import ConsoleDep, SessionDep, require_session
from device_console.driving.supervisor import DriveSupervisor
from device_console.streaming import MULTIPART_CONTENT_TYPE

router = APIRouter(tags=["stream"], dependencies=[Depends(require_session)])


class SupervisedStream(StreamingResponse):
    """A multipart stream known to the drive supervisor from its first byte to its end."""

    def __init__(self, parts: AsyncIterator[bytes], drive: DriveSupervisor, session: str,
                 headers: dict[str, str]) -> None:
        self._parts = parts
        self._drive = drive
        self._session = session
        self._stream: int | None = None
        super().__init__(self._supervised(), media_type=MULTIPART_CONTENT_TYPE, headers=headers)

    async def _supervised(self) -> AsyncIterator[bytes]:
        stream = self._stream
        assert stream is not None
        try:
            async for part in self._parts:
                self._drive.stream_sending(stream)
                yield part  # returns here once the part was handed to the connection
                if not self._drive.stream_sent(stream):
                    return  # given up as stalled: end the response
        finally:
            await self._parts.aclose()  # type: ignore[attr-defined]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._stream = self._drive.stream_opened(self._session)
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._drive.stream_closed(self._stream)
            with anyio.CancelScope(shield=True):  # the viewer leaves the hub now, not at garbage collection
                await self.body_iterator.aclose()  # type: ignore[attr-defined]


def _int_param(request: Request, name: str, low: int, high: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(float(raw))
    except (ValueError, OverflowError):  # OverflowError: inf, 1e400
        raise ValueError(f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}")
    return value


@router.get("/route", response_model=None)
async def route(request: Request, console: ConsoleDep, session: SessionDep) -> Response:
    settings = console.settings
    topic = request.query_params.get("topic", "")
    if topic not in settings.stream_topics:
        return JSONResponse({"success": False, "reason": f"Unknown stream topic {topic!r}",
                             "topics": list(settings.stream_topics)}, status_code=404)
    stream_type = request.query_params.get("type", "mjpeg")
    if stream_type not in ("mjpeg", ""):
        return JSONResponse({"success": False, "reason": "Only type=mjpeg is supported"}, status_code=400)
    try:
        width = _int_param(request, "width", 1, settings.stream_max_width)
        height = _int_param(request, "height", 1, settings.stream_max_height)
        quality = _int_param(request, "quality", 1, 100)
    except ValueError as exc:
        return JSONResponse({"success": False, "reason": str(exc)}, status_code=400)
    return SupervisedStream(
        console.hub.multipart(topic, width, height, quality), console.drive, session,
        headers={"Cache-Control": "no-cache, no-store, must-revalidate, max-age=0", "Pragma": "no-cache",
                 "X-Accel-Buffering": "no"},
    )
