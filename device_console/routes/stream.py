"""`/route?topic=<topic>&width=&height=&quality=`: MJPEG (multipart/x-mixed-replace), as web_video_server."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from device_console.deps import ConsoleDep, require_session
from device_console.streaming import MULTIPART_CONTENT_TYPE

router = APIRouter(tags=["stream"], dependencies=[Depends(require_session)])


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
async def route(request: Request, console: ConsoleDep) -> Response:
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
    return StreamingResponse(
        console.hub.multipart(topic, width, height, quality),
        media_type=MULTIPART_CONTENT_TYPE,
        headers={"Cache-Control": "no-cache, no-store, must-revalidate, max-age=0", "Pragma": "no-cache",
                 "X-Accel-Buffering": "no"},
    )
