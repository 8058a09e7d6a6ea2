"""Every route an app serves, flattened (`/api/supported_apis`, and the tests that walk all routes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIWebSocketRoute
from starlette.routing import Mount, WebSocketRoute


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    kind: str  # "http", "websocket" or "mount"
    endpoint: Callable[..., Any] | None = None


def _flat_routes(app: FastAPI) -> list[object]:
    """The routes with included routers flattened (FastAPI's route contexts where it has them)."""
    try:
        from fastapi.routing import iter_route_contexts

        return list(iter_route_contexts(app.routes))
    except ImportError:  # older FastAPI: included routes are plain entries of app.routes
        return list(app.routes)


def route_table(app: FastAPI) -> list[RouteInfo]:
    """Every route the app serves, with included routers flattened."""
    table = []
    for ctx in _flat_routes(app):
        path = getattr(ctx, "path", None)
        if path is None:
            continue
        original = getattr(ctx, "original_route", ctx)
        if isinstance(original, Mount):
            table.append(RouteInfo(path, frozenset({"GET"}), "mount"))
        elif isinstance(original, APIWebSocketRoute | WebSocketRoute):
            table.append(RouteInfo(path, frozenset(), "websocket", getattr(ctx, "endpoint", None)))
        else:
            table.append(RouteInfo(path, frozenset(getattr(ctx, "methods", None) or ()), "http",
                                   getattr(ctx, "endpoint", None)))
    return table
