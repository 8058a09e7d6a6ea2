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
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import anyio.to_thread
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import Headers
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


class FileUploadParser:
    """Streams the multipart part named `field` of a request into a new file under `dest_dir`.

    The shape of starlette's `MultiPartParser`: python-multipart calls the `on_*` methods as the body
    arrives, `parse()` feeds it and answers an `UploadedFile` (the caller removes its file) or
    raises `UploadError` (nothing is left on disk).
    """

    def __init__(self, headers: Headers, stream: AsyncIterator[bytes], dest_dir: Path, max_bytes: int,
                 field: str = "file") -> None:
        self.headers = headers
        self.stream = stream
        self.dest_dir = dest_dir
        self.max_bytes = max_bytes
        self.field = field
        self.filename: str | None = None  # of the first part named `field` that is a file
        self.complete = False  # that part ended
        self.received = 0  # bytes of that part, each counted once
        self.too_big = False
        self._in_file = False  # the current part is that part
        self._disposition = b""
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._pending: list[bytes] = []  # received, not written yet
        self._buffered = 0

    # -- python-multipart callbacks ----------------------------------------------------------------
    def on_part_begin(self) -> None:
        self._in_file = False
        self._disposition = b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name.extend(data[start:end])

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value.extend(data[start:end])

    def on_header_end(self) -> None:
        if bytes(self._header_name).lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        self._in_file = name == self.field and filename is not None and self.filename is None
        if self._in_file and filename is not None:
            self.filename = filename.decode("utf-8", "replace")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._in_file or self.too_big:
            return
        self.received += end - start
        if self.received > self.max_bytes:
            self.too_big = True
            self._pending.clear()
            return
        self._pending.append(data[start:end])
        self._buffered += end - start

    def on_part_end(self) -> None:
        if self._in_file:
            self.complete = True

    # -- the upload ----------------------------------------------------------------------------------
    def _too_big(self) -> UploadError:
        return UploadError(413, f"The file is larger than the {self.max_bytes // (1024 * 1024)} MB limit")

    def _boundary(self) -> bytes:
        """The multipart boundary; refused before reading a byte of a body that cannot fit."""
        content_type, params = parse_options_header(self.headers.get("content-type"))
        if content_type != b"multipart/form-data" or b"boundary" not in params:
            raise UploadError(400, "The upload must be multipart/form-data with a 'file' field")
        length = self.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes + MULTIPART_OVERHEAD:
            raise self._too_big()
        return params[b"boundary"]

    def _parser(self, boundary: bytes) -> MultipartParser:
        return MultipartParser(boundary, {
            "on_part_begin": self.on_part_begin, "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value, "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished, "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        })

    async def _flush(self, handle: BinaryIO) -> None:
        if self._pending:
            block = b"".join(self._pending)
            self._pending.clear()
            self._buffered = 0
            await anyio.to_thread.run_sync(handle.write, block)

    async def _store(self, parser: MultipartParser, handle: BinaryIO) -> None:
        """The body through the parser into `handle` (closed at the end), ~1 MB per write."""
        async for chunk in self.stream:
            parser.write(chunk)
            if self.too_big:
                raise self._too_big()
            if self._buffered >= FLUSH_BYTES:
                await self._flush(handle)
        parser.finalize()
        await self._flush(handle)
        await anyio.to_thread.run_sync(handle.close)
        if self.filename is None:
            raise UploadError(400, "The upload has no 'file' field")
        if not self.complete:
            raise UploadError(400, "The upload ended before the file was complete")

    async def parse(self) -> UploadedFile:
        parser = self._parser(self._boundary())
        self.dest_dir.mkdir(parents=True, exist_ok=True)
        target: Path | None = None
        handle: BinaryIO | None = None
        stored = False
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=PART_PREFIX, suffix=PART_SUFFIX, dir=self.dest_dir)
            target = Path(tmp_name)
            handle = os.fdopen(fd, "wb")
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # in use: never swept as a leftover
            await self._store(parser, handle)
            stored = True
            return UploadedFile(filename=self.filename or "", path=target, size=self.received)
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


async def receive_file(request: Request, dest_dir: Path, max_bytes: int, field: str = "file") -> UploadedFile:
    """Store the multipart part named `field` in a new file under `dest_dir`; the caller removes it."""
    return await FileUploadParser(request.headers, request.stream(), dest_dir, max_bytes, field).parse()
