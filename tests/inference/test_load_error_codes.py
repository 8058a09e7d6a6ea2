"""Load error codes are never 0 on failure and have a short text for the console and ctrl."""

from __future__ import annotations

from inference.errors import LoadErrorCode, ModelLoadError, describe_load_error


def test_load_error_codes_have_texts() -> None:
    assert describe_load_error(0) == "ok"
    assert "not found" in describe_load_error(LoadErrorCode.NOT_FOUND)
    assert describe_load_error(99) == "error 99"


def test_every_failure_code_is_non_zero() -> None:
    assert all(code != 0 for code in LoadErrorCode if code is not LoadErrorCode.OK)
    assert ModelLoadError("x").code == LoadErrorCode.MODEL_INVALID
