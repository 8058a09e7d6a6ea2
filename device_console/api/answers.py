"""The answers of the original API: `ok(...)`, `fail(reason, ...)`, and the errors routes raise.

Every error is answered as the original did, `{"success": false, "reason": "..."}`:
- `FieldError`: a body or path field is missing or invalid, with the original's text; HTTP 200 (the
  original answered most of them so) unless the field was refused outright (`status=400`).
- `BadBody`: the body is not the JSON object a route reads (HTTP 400).
- `CarError`: the vehicle refused or did not answer (HTTP 200, its reason).
- any `HTTPException` (401, 403, 404, ...) and FastAPI's own validation of query and path
  parameters (400) keep that shape too.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from device_console.car import CarError

log = logging.getLogger("device_console")


def ok(**fields: Any) -> dict[str, Any]:
    return {"success": True, **fields}


def fail(reason: str, **fields: Any) -> dict[str, Any]:
    return {"success": False, "reason": reason, **fields}


class FieldError(ValueError):
    """A field is missing or invalid; the message is the original's reason text.

    `status`: None answers with the route's usual status for a refused field (HTTP 200 as the
    original, see `device_console.api.bodies.Body`); `fields` are added to the answer."""

    def __init__(self, reason: str, status: int | None = None, **fields: Any) -> None:
        super().__init__(reason)
        self.status = status
        self.fields = fields


class BadBody(HTTPException):
    def __init__(self, reason: str) -> None:
        super().__init__(status_code=400, detail=reason)


def json_error(status: int, reason: str, headers: dict[str, str] | None = None, **fields: Any) -> JSONResponse:
    return JSONResponse(fail(reason, **fields), status_code=status, headers=headers)


async def car_error(_request: Request, exc: Exception) -> JSONResponse:
    log.warning("vehicle: %s", exc)
    return json_error(200, str(exc) or "Error")


async def field_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FieldError)
    return json_error(exc.status or 200, str(exc), **exc.fields)


async def http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return json_error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
    return json_error(400, f"{where}: {first.get('msg', 'invalid request')}".strip(": "))


def install_error_answers(app: FastAPI) -> None:
    """Answer every error raised by a route in the original's shape."""
    app.add_exception_handler(CarError, car_error)
    app.add_exception_handler(FieldError, field_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
