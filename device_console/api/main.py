"""The console's HTTP API: every router of `api/routes/`, the error answers and the API description.

    install_api(app)     done once by `device_console.main.create_app`
"""

from __future__ import annotations

import warnings
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from device_console.api.answers import install_error_answers
from device_console.api.bodies import Body, JsonBody, request_body
from device_console.api.deps import require_session
from device_console.api.routes import (
    calibration,
    console_ui,
    control,
    device,
    drive_ws,
    login,
    models,
    recordings,
    setup,
    software_update,
    stream,
    system,
)

# in matching order
ROUTERS = (login.router, control.router, calibration.router, models.router, device.router, system.router,
           setup.router, stream.router, console_ui.router, drive_ws.router, recordings.router,
           software_update.router, login.protected)


def openapi_schema(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI description, each method of a multi-method route with its own operationId."""
    if app.openapi_schema is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # multi-method routes share one id...
            schema = app.openapi()
        seen: set[str] = set()
        for methods in schema.get("paths", {}).values():
            for method, operation in methods.items():
                op_id = operation.get("operationId")
                if op_id in seen:  # ...so give each method its own
                    operation["operationId"] = f"{op_id}_{method}"
                seen.add(operation.get("operationId"))
    return app.openapi_schema or {}


def _json_body(dependant: Dependant) -> JsonBody[Body] | None:
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, JsonBody):
            return dependency.call
        found = _json_body(dependency)
        if found is not None:
            return found
    return None


def publish_request_bodies(router: APIRouter) -> None:
    """Each route that takes a `JsonBody` dependency describes that body in the OpenAPI schema
    (FastAPI does not see it: the body is read by the dependency, not by FastAPI)."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            reader = _json_body(route.dependant)
            if reader is not None:
                route.openapi_extra = {**(route.openapi_extra or {}),
                                       **request_body(reader.model, required=reader.required)}


def install_api(app: FastAPI) -> None:
    install_error_answers(app)

    @app.get("/api/openapi.json", include_in_schema=False, dependencies=[Depends(require_session)])
    def openapi() -> dict[str, Any]:
        """The API description (behind the login like every other API route)."""
        return openapi_schema(app)

    for router in ROUTERS:
        publish_request_bodies(router)
        app.include_router(router)
