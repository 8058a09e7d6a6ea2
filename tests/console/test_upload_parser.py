"""`device_console.upload.FileUploadParser` on its own: a multipart body in arbitrary chunks, only the
first file part named `file` is stored, every failure leaves nothing on disk."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest
from starlette.datastructures import Headers

from device_console.upload import FileUploadParser, UploadedFile, UploadError

BOUNDARY = "b0undary"


def part(name: str, content: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def parse(raw: bytes, dest: Path, chunk: int, max_bytes: int = 1 << 20,
          content_type: str = f"multipart/form-data; boundary={BOUNDARY}") -> UploadedFile:
    async def stream() -> AsyncIterator[bytes]:
        for start in range(0, len(raw), chunk):
            yield raw[start:start + chunk]

    headers = Headers({"content-type": content_type, "content-length": str(len(raw))})
    return anyio.run(FileUploadParser(headers, stream(), dest, max_bytes).parse)


@pytest.mark.parametrize("chunk", [1, 7, 1 << 16])
def test_only_the_first_file_part_named_file_is_stored(tmp_path: Path, chunk: int) -> None:
    content = bytes(range(256)) * 40 + b"\r\n--not-the-boundary\r\n"
    raw = body(part("file", b"a plain field, not a file"), part("other", b"x" * 100, "other.tar.gz"),
               part("file", content, "model.tar.gz"), part("file", b"second", "second.tar.gz"))
    uploaded = parse(raw, tmp_path, chunk)
    assert (uploaded.filename, uploaded.size) == ("model.tar.gz", len(content))
    assert uploaded.path.parent == tmp_path and uploaded.path.read_bytes() == content


@pytest.mark.parametrize(("raw", "status", "reason"), [
    (body(part("other", b"x", "a.tar.gz")), 400, "The upload has no 'file' field"),
    (part("file", b"cut short", "a.tar.gz")[:-2], 400, "The upload ended before the file was complete"),
    (body(part("file", b"x" * 2048, "a.tar.gz")), 413, "The file is larger than the 0 MB limit"),
])
def test_a_refused_upload_leaves_nothing(tmp_path: Path, raw: bytes, status: int, reason: str) -> None:
    with pytest.raises(UploadError) as info:
        parse(raw, tmp_path, 512, max_bytes=1024 if status == 413 else 1 << 20)
    assert (info.value.status_code, info.value.message) == (status, reason)
    assert list(tmp_path.iterdir()) == []


def test_a_body_that_is_not_multipart_is_refused_before_it_is_read(tmp_path: Path) -> None:
    with pytest.raises(UploadError) as info:
        parse(b"{}", tmp_path / "never", 64, content_type="application/json")
    assert info.value.status_code == 400 and not (tmp_path / "never").exists()
