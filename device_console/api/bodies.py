"""The request bodies of the console's routes, as pydantic models (published in the OpenAPI schema).

A route takes its body as a dependency, e.g. `body: ManualDrive`: the request body is read as strict
JSON (`api.deps.json_body`), validated with the model, and the route gets a `ManualDriveBody`. The
field types below carry the original console's checks and texts (a number may be a numeric string,
`true` is not a number, `null` counts as missing), so a body that does not validate is answered as
the original answered it: `{"success": false, "reason": "angle out of range"}` with HTTP 200 for most
routes (`Body.refusal_status`), one text for any invalid field on some (`Body.refusal_reason`).
When several fields are wrong the reason names the first one, a missing or mistyped field before a
value out of range (the original read all fields first, then checked their ranges).
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar, get_args

from fastapi import Depends, Request
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from device_console.api.answers import FieldError
from device_console.api.deps import json_body
from device_console.calibration_units import PREVIEW_SETTINGS, PreviewSetting
from device_console.core.config import LEGACY_HOLD_RANGE_S, check_legacy_hold
from device_console.driving.joystick import manual_drive_command

RANGE_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})
TOO_LONG_ERRORS = frozenset({"string_too_long", "too_long"})


# -- field types: the original's checks ------------------------------------------------------------
def _missing() -> PydanticCustomError:
    return PydanticCustomError("missing", "Field required")


def _number(value: object, info: ValidationInfo) -> float:
    """A JSON number or a numeric string; `null` is missing; `true`/`false`, NaN and infinities are not numbers."""
    if value is None:
        raise _missing()
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise FieldError(f"{info.field_name} must be a number")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise FieldError(f"{info.field_name} must be a number") from None
    if not math.isfinite(number):
        raise FieldError(f"{info.field_name} must be a number")
    return number


def _whole_number(value: object, info: ValidationInfo) -> int:
    number = _number(value, info)
    if number != int(number):
        raise FieldError(f"{info.field_name} must be a whole number")
    return int(number)


def _text(value: object, info: ValidationInfo) -> str:
    if value is None:
        raise _missing()
    if not isinstance(value, str):
        raise FieldError(f"{info.field_name} must be a string")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise _missing()
    return value


def _word(value: object, info: ValidationInfo) -> str:
    """One of the field's words (case-insensitive, surrounding spaces ignored); refused with 400 and
    the words it accepts otherwise."""
    if value is None:
        raise _missing()
    assert info.field_name is not None
    words = WORDS[info.field_name]
    if isinstance(value, str) and value.strip().lower() in words:
        return value.strip().lower()
    shown = json.dumps(value[:40]) if isinstance(value, str) else json.dumps(value)[:40]
    choices = " or ".join(f'"{word}"' for word in words)
    raise FieldError(f"{info.field_name} must be {choices}, not {shown}. Nothing was changed.", status=400)


def _preview_setting(value: object) -> object:
    if value is not None and value not in PREVIEW_SETTINGS:
        raise FieldError('setting must be "mid", "min" or "max"', status=400)
    return value


def _legacy_hold(value: float) -> float:
    try:
        return check_legacy_hold(value)
    except ValueError as exc:
        raise FieldError(str(exc)) from None


def _flag_or_nothing(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


Number = Annotated[float, BeforeValidator(_number)]
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
Text = Annotated[str, BeforeValidator(_text)]
DriveModeWord = Literal["manual", "auto", "autonomous"]
StartStopWord = Literal["start", "stop"]
WORDS: dict[str, tuple[str, ...]] = {"drive_mode": get_args(DriveModeWord), "start_stop": get_args(StartStopWord)}


# -- the models ------------------------------------------------------------------------------------
class Body(BaseModel):
    """A JSON request body. How one that does not validate is answered (the original's texts):"""

    model_config = ConfigDict(extra="ignore")

    # 200 `{"success": false, "reason"}` as the original; 400 where it refused the request itself
    refusal_status: ClassVar[int] = 200
    # one text for any invalid field (else the field's own: "<field> is required", "... out of range")
    refusal_reason: ClassVar[str | None] = None
    # texts other than "<field> is required" for a missing field
    missing_reasons: ClassVar[dict[str, str]] = {}
    # the answer repeats the reason as "message" (the model routes answer both)
    reason_as_message: ClassVar[bool] = False

    @classmethod
    def from_json(cls: type[B], data: dict[str, Any]) -> B:
        """The body validated, or `FieldError` with the original's text for the first invalid field."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise cls.refusal(exc.errors()) from None

    @classmethod
    def refusal(cls, errors: list[ErrorDetails]) -> FieldError:
        first = min(enumerate(errors), key=lambda item: (item[1]["type"] in RANGE_ERRORS, item[0]))[1]
        reason, status = cls._reason(first)
        if cls.refusal_reason is not None:
            reason = cls.refusal_reason
        fields = {"message": reason} if cls.reason_as_message else {}
        return FieldError(reason, status or cls.refusal_status, **fields)

    @classmethod
    def _reason(cls, error: ErrorDetails) -> tuple[str, int | None]:
        name = ".".join(str(part) for part in error["loc"])
        kind = error["type"]
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, FieldError):
            return str(cause), cause.status
        if kind == "missing":
            return cls.missing_reasons.get(name, f"{name} is required"), None
        if kind in RANGE_ERRORS:
            return f"{name} out of range", None
        if kind in TOO_LONG_ERRORS:
            return f"{name} is too long", None
        return f"{name}: {error['msg']}", None


B = TypeVar("B", bound=Body)


class ManualDriveBody(Body):
    angle: Number = Field(ge=-1.0, le=1.0, description="steering, -1..1 (positive: right)")
    throttle: Number = Field(ge=-1.0, le=1.0, description="joystick y, -1..1 (negative: forward)")
    max_speed: Number = Field(ge=0.0, le=1.0, description="speed scale, 0..1")

    def command(self) -> tuple[float, float]:
        """(ServoCtrlMsg.angle, ServoCtrlMsg.throttle) as the original computes them."""
        return manual_drive_command(self.angle, self.throttle, self.max_speed)


class DriveModeBody(Body):
    drive_mode: Annotated[DriveModeWord, BeforeValidator(_word)] = Field(
        description='"manual" or "auto" ("autonomous"), case-insensitive')
    missing_reasons = {"drive_mode": "drive_mode must be set."}


class StartStopBody(Body):
    start_stop: Annotated[StartStopWord, BeforeValidator(_word)] = Field(
        description='"start" or "stop", case-insensitive')
    missing_reasons = {"start_stop": "start_stop must be set."}


class MaxNavThrottleBody(Body):
    throttle: Number = Field(ge=0.0, le=100.0, description="autonomous speed, percent")


class EmergencyStopBody(Body):
    usb_reset: Annotated[bool | None, BeforeValidator(_flag_or_nothing)] = Field(
        default=None, description="accepted for the community console; ignored")


class CalibrationBody(Body):
    mid: Number = Field(description="console units")
    min: Number = Field(description="console units")
    max: Number = Field(description="console units")
    polarity: WholeNumber = Field(description="1 or -1")


class AdjustWheelsBody(Body):
    pwm: Number = Field(description="console units")
    setting: Annotated[PreviewSetting | None, BeforeValidator(_preview_setting)] = Field(
        default=None, description='what the user is setting: "mid", "min" or "max"')


class DriveSettingsBody(Body):
    legacy_drive_hold_s: Annotated[float, BeforeValidator(_number), AfterValidator(_legacy_hold)] = Field(
        description="seconds a change-only client's command is held",
        json_schema_extra={"minimum": LEGACY_HOLD_RANGE_S[0], "maximum": LEGACY_HOLD_RANGE_S[1]})
    refusal_status = 400


class LedColorBody(Body):
    red: WholeNumber = Field(ge=0, le=255)
    green: WholeNumber = Field(ge=0, le=255)
    blue: WholeNumber = Field(ge=0, le=255)
    refusal_reason = "Input is not valid"


class DeleteModelsBody(Body):
    filenames: list[StrictStr] = Field(min_length=1, description="model folder names")
    refusal_reason = "filenames must be a non-empty list of model names"
    reason_as_message = True


class TimezoneBody(Body):
    timezone: Text = Field(max_length=64, examples=["Europe/Stockholm"])


class WifiBody(Body):
    wifi_name: Annotated[str, BeforeValidator(_text), AfterValidator(_not_blank)] = Field(
        max_length=32, json_schema_extra={"minLength": 1})
    # anything is taken as text, as the original did
    wifi_password: Annotated[str, BeforeValidator(lambda value: str(value or ""))] = Field(default="", max_length=64)


class SshPasswordBody(Body):
    oldPassword: Text = Field(max_length=256)  # the original's field names
    newPassword: Text = Field(max_length=256)


class ConsolePasswordBody(Body):
    old_password: Text = Field(max_length=256)
    new_password: Text = Field(max_length=256)


class UpdateStatusBody(Body):
    update_completed: StrictBool
    refusal_reason = "update_completed must be true or false"


class ConsoleUiBody(Body):
    ui: Literal["builtin", "installed"] = Field(description="which UI the car serves")
    refusal_reason = 'ui must be "builtin" or "installed"'


class LoginForm(BaseModel):
    password: str = Field(max_length=256)


# -- the dependency --------------------------------------------------------------------------------
class JsonBody(Generic[B]):
    """FastAPI dependency: the request body as `model` (published as the route's requestBody by
    `device_console.api.main.publish_request_bodies`)."""

    def __init__(self, model: type[B], *, required: bool = True) -> None:
        self.model = model
        self.required = required

    async def __call__(self, request: Request) -> B:
        return self.model.from_json(await json_body(request, self.required))


ManualDrive = Annotated[ManualDriveBody, Depends(JsonBody(ManualDriveBody))]
DriveModeChoice = Annotated[DriveModeBody, Depends(JsonBody(DriveModeBody))]
StartStop = Annotated[StartStopBody, Depends(JsonBody(StartStopBody))]
MaxNavThrottle = Annotated[MaxNavThrottleBody, Depends(JsonBody(MaxNavThrottleBody))]
EmergencyStop = Annotated[EmergencyStopBody, Depends(JsonBody(EmergencyStopBody, required=False))]
CalibrationValues = Annotated[CalibrationBody, Depends(JsonBody(CalibrationBody))]
AdjustWheels = Annotated[AdjustWheelsBody, Depends(JsonBody(AdjustWheelsBody))]
DriveSettings = Annotated[DriveSettingsBody, Depends(JsonBody(DriveSettingsBody))]
LedColor = Annotated[LedColorBody, Depends(JsonBody(LedColorBody))]
DeleteModels = Annotated[DeleteModelsBody, Depends(JsonBody(DeleteModelsBody))]
Timezone = Annotated[TimezoneBody, Depends(JsonBody(TimezoneBody))]
Wifi = Annotated[WifiBody, Depends(JsonBody(WifiBody))]
SshPassword = Annotated[SshPasswordBody, Depends(JsonBody(SshPasswordBody))]
ConsolePassword = Annotated[ConsolePasswordBody, Depends(JsonBody(ConsolePasswordBody))]
UpdateStatus = Annotated[UpdateStatusBody, Depends(JsonBody(UpdateStatusBody))]
ConsoleUi = Annotated[ConsoleUiBody, Depends(JsonBody(ConsoleUiBody))]


def request_body(model: type[BaseModel], *, required: bool = True,
                 media_type: str = "application/json") -> dict[str, Any]:
    """`openapi_extra` for a route whose body is `model`."""
    schema = model.model_json_schema()
    return {"requestBody": {"required": required, "content": {media_type: {"schema": schema}}}}


def upload_body() -> dict[str, Any]:
    """`openapi_extra` of the model upload (multipart field `file`, a `.tar.gz`)."""
    schema = {"type": "object", "required": ["file"],
              "properties": {"file": {"type": "string", "format": "binary"}}}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}

