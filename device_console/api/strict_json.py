"""Strict JSON for request bodies: what `json.loads` accepts minus what must never reach the car.

NaN/Infinity, numbers beyond a float, nesting deeper than MAX_JSON_DEPTH and control characters in
strings or field names are refused with a clear 400 (`BadBody`), never a 500. The body's size was
capped before (`device_console.core.edge.BodyLimit`).
"""

from __future__ import annotations

import json
import math
from typing import Any

from device_console.api.answers import BadBody
from device_console.core.edge import has_control_characters

MAX_JSON_DEPTH = 32
MAX_JSON_DIGITS = 300  # a float ends near 1.8e308: longer integers are not numbers for the car


def _refuse_constant(name: str) -> Any:
    raise BadBody(f"The request body is not valid JSON: {name} is not a JSON number.")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise BadBody("The request body has a number that is too large.")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadBody("The request body has a number that is too large.")
    return value


def _check_json(value: Any, where: str = "", depth: int = 0) -> None:
    """No deeper than MAX_JSON_DEPTH, and no control characters in strings (they end up in command
    lines, file names and logs)."""
    if depth > MAX_JSON_DEPTH:
        raise BadBody("The request body is nested too deeply.")
    if isinstance(value, str):
        if has_control_characters(value):
            raise BadBody(f"{where or 'The request body'} must not contain control characters.")
    elif isinstance(value, dict):
        for key, item in value.items():
            if has_control_characters(key):
                raise BadBody("A field name must not contain control characters.")
            _check_json(item, f"{where}.{key}" if where else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{where}[{index}]", depth + 1)


def parse_json(raw: bytes) -> Any:
    """The JSON value of `raw`, or `BadBody` with the reason."""
    try:
        data = json.loads(raw, parse_constant=_refuse_constant, parse_int=_parse_int,
                          parse_float=_parse_float)
    except RecursionError:
        raise BadBody("The request body is nested too deeply.") from None
    except (ValueError, UnicodeDecodeError):
        raise BadBody("The request body is not valid JSON.") from None
    _check_json(data)
    return data
