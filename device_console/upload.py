"""Streaming multipart upload straight to a file on disk, with a hard size limit.

A 200 MB model never sits in memory or in /tmp: the body is parsed as it arrives and the file part
is written in ~1 MB blocks (in a worker thread) into a temporary file next to its destination.
Every byte of the file part is counted once, as the parser hands it over.

The temporary file (`.upload-*.part`) is removed on every failure; its writer holds an flock on it,
so `clean_stale_uploads` (run when the console starts) removes only those left by a killed console.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

FLUSH_BYTES = 1024 * 1024
MULTIPART_OVERHEAD = 64 * 1024  # headers of the parts around the file
PART_PREFIX = ".upload-"
PART_SUFFIX = ".part"


def _locked_elsewhere(path: Path) -> bool:
    """An upload in progress holds an flock on its file (any process, this one included)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
    return False


def clean_stale_uploads(folder: Path) -> list[Path]:
    """Remove the `.upload-*.part` files nobody writes any more (a console killed mid-upload)."""
    removed: list[Path] = []
    try:
        candidates = [p for p in folder.iterdir() if p.name.startswith(PART_PREFIX) and p.name.endswith(PART_SUFFIX)]
    except OSError:
        return removed
    for path in candidates:
        if path.is_symlink() or not path.is_file() or _locked_elsewhere(path):
            continue
        try:
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


class UploadError(Exception):
    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


@dataclass
class UploadedFile:
    filename: str
    path: Path
    size: int


async def receive_file(request: Request, dest_dir: Path, max_bytes: int, field: str = "file") -> UploadedFile:
    """Store the multipart part named `field` in a new file under `dest_dir`; the caller removes it."""
    content_type, params = parse_options_header(request.headers.get("content-type"))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise UploadError(400, "The upload must be multipart/form-data with a 'file' field")
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > max_bytes + MULTIPART_OVERHEAD:
        raise UploadError(413, f"The file is larger than the {max_bytes // (1024 * 1024)} MB limit")
    dest_dir.mkdir(parents=True, exist_ok=True)

    current: dict[str, object] = {}
    pending: list[bytes] = []
    header_name = bytearray()
    header_value = bytearray()
    result: dict[str, object] = {}
    too_big = False
    handle = None
    received = 0   # bytes of the file part, each counted once
    buffered = 0   # of which not written yet
    stored = False
    target: Path | None = None

    def on_part_begin() -> None:
        current.clear()
        current["headers"] = {}
        current["is_file"] = False

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_name.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers = current["headers"]
        assert isinstance(headers, dict)
        headers[bytes(header_name).lower()] = bytes(header_value)
        header_name.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        headers = current["headers"]
        assert isinstance(headers, dict)
        _, disp = parse_options_header(headers.get(b"content-disposition"))
        name = disp.get(b"name", b"").decode("utf-8", "replace")
        filename = disp.get(b"filename")
        current["is_file"] = name == field and filename is not None and "filename" not in result
        if current["is_file"]:
            result["filename"] = (filename or b"").decode("utf-8", "replace")

    def on_part_data(data: bytes, start: int, end: int) -> None:
        nonlocal too_big, received, buffered
        if current.get("is_file") and not too_big:
            received += end - start
            if received > max_bytes:
                too_big = True
                pending.clear()
                return
            pending.append(data[start:end])
            buffered += end - start

    def on_part_end() -> None:
        if current.get("is_file"):
            result["done"] = True

    parser = MultipartParser(params[b"boundary"], {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished, "on_part_data": on_part_data,
        "on_part_end": on_part_end,
    })
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=PART_PREFIX, suffix=PART_SUFFIX, dir=dest_dir)
        target = Path(tmp_name)
        handle = os.fdopen(fd, "wb")
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # in use: never swept as a leftover
        async for chunk in request.stream():
            parser.write(chunk)
            if too_big:
                break
            if buffered >= FLUSH_BYTES:
                block = b"".join(pending)
                pending.clear()
                buffered = 0
                await anyio.to_thread.run_sync(handle.write, block)
        if too_big:
            raise UploadError(413, f"The file is larger than the {max_bytes // (1024 * 1024)} MB limit")
        parser.finalize()
        if pending:
            block = b"".join(pending)
            pending.clear()
            await anyio.to_thread.run_sync(handle.write, block)
        await anyio.to_thread.run_sync(handle.close)
        if "filename" not in result:
            raise UploadError(400, "The upload has no 'file' field")
        if not result.get("done"):
            raise UploadError(400, "The upload ended before the file was complete")
        stored = True
        return UploadedFile(filename=str(result["filename"]), path=target, size=received)
    except ClientDisconnect:
        raise UploadError(400, "The upload was interrupted") from None
    except UploadError:
        raise
    except Exception as exc:  # malformed multipart body
        raise UploadError(400, f"The upload could not be read: {exc}") from None
    finally:
        if handle is not None and not handle.closed:
            handle.close()
        if target is not None and not stored:  # any failure, a disconnect or a cancellation
            target.unlink(missing_ok=True)
