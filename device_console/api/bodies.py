"""The request bodies of the console's routes, as pydantic models, published in the OpenAPI schema.

The routes read their bodies with `device_console.api.deps.json_body` and check each field with the
original's own error texts (`{"success": false, "reason": "angle out of range"}`, HTTP 200), so the
models here describe the bodies (for `/api/openapi.json`, client generators and the schema fuzz in
the tests) without changing what the routes answer: `openapi_extra=request_body(Model)` on a route.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="allow")


class ManualDriveBody(Body):
    angle: float = Field(ge=-1.0, le=1.0, description="steering, -1..1 (positive: right)")
    throttle: float = Field(ge=-1.0, le=1.0, description="joystick y, -1..1 (negative: forward)")
    max_speed: float = Field(ge=0.0, le=1.0, description="speed scale, 0..1")


class DriveModeBody(Body):
    drive_mode: str = Field(max_length=32, description='"manual" or "auto"', examples=["manual", "auto"])


class StartStopBody(Body):
    start_stop: str = Field(max_length=32, description='"start" or "stop"', examples=["start", "stop"])


class MaxNavThrottleBody(Body):
    throttle: float = Field(ge=0.0, le=100.0, description="autonomous speed, percent")


class EmergencyStopBody(Body):
    usb_reset: bool | None = Field(default=None, description="accepted for the community console; ignored")


class CalibrationBody(Body):
    mid: int = Field(description="console units")
    min: int = Field(description="console units")
    max: int = Field(description="console units")
    polarity: int = Field(description="1 or -1")


class AdjustWheelsBody(Body):
    pwm: int = Field(description="console units")
    setting: str | None = Field(default=None, description='what the user is setting: "mid", "min" or "max"',
                                examples=["mid", "min", "max"])


class DriveSettingsBody(Body):
    legacy_drive_hold_s: float = Field(ge=0.5, le=60.0, description="seconds a change-only client's command is held")


class LedColorBody(Body):
    red: int = Field(ge=0, le=255)
    green: int = Field(ge=0, le=255)
    blue: int = Field(ge=0, le=255)


class DeleteModelsBody(Body):
    filenames: list[str] = Field(min_length=1, description="model folder names")


class TimezoneBody(Body):
    timezone: str = Field(max_length=64, examples=["Europe/Stockholm"])


class WifiBody(Body):
    wifi_name: str = Field(min_length=1, max_length=32)
    wifi_password: str = Field(default="", max_length=64)


class SshPasswordBody(Body):
    oldPassword: str = Field(max_length=256)  # the original's field names
    newPassword: str = Field(max_length=256)


class ConsolePasswordBody(Body):
    old_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


class UpdateStatusBody(Body):
    update_completed: bool


class LoginForm(BaseModel):
    password: str = Field(max_length=256)


def request_body(model: type[BaseModel], *, required: bool = True,
                 media_type: str = "application/json") -> dict[str, Any]:
    """`openapi_extra` for a route that reads `model` from its body itself."""
    schema = model.model_json_schema()
    return {"requestBody": {"required": required, "content": {media_type: {"schema": schema}}}}


def upload_body() -> dict[str, Any]:
    """`openapi_extra` of the model upload (multipart field `file`, a `.tar.gz`)."""
    schema = {"type": "object", "required": ["file"],
              "properties": {"file": {"type": "string", "format": "binary"}}}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}
