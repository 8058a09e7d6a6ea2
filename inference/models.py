"""Installed models: safe import of the archives users have, listing and deletion.

Layout (as the original): `<artifacts>/<name>/model.pb` (or `model.onnx`), `model_metadata.json`,
`checksum.txt` (md5 hex of the graph + newline); the optimizer later adds `model.xml/.bin/.ir.json`.

Accepted inputs: `.tar.gz`/`.tgz` and `.tar` archives (`agent/model.pb` + `model_metadata.json` from the
training console or DRfC, or `model.pb` at the root), a gzipped graph (`model.pb.gz`), a bare `.pb` or
`.onnx` with `model_metadata.json` beside it (or given explicitly), or a folder holding both.

Safety: archives are read as a stream and never extracted blindly. Absolute paths, `..` components,
links, device files, FIFOs and sparse members reject the whole archive; so do more than one model
graph, no graph, a corrupt or truncated gzip, and more than `max_expanded_bytes` of decompressed data.
Only the graph and the metadata are written, inside a staging folder next to the models (`.import-*`,
flock-ed by its importer while it works, so `clean_stale_imports` and every import remove only those a
killed process left behind, whatever its pid became); the new folder replaces an existing model of the same name in one rename (an atomic exchange where the kernel
supports it), so the old model stays intact and loadable until the new one is complete. Other models
are never touched (the original USB import wiped them all). Shipped IR files (model.xml/.bin, e.g. an
IR v10 pre-optimised by DREM) are not installed: the engine builds its own.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import io
import os
import re
import secrets
import shutil
import tarfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from inference.errors import MetadataError, ModelImportError, ModelNotFoundError
from inference.metadata import METADATA_FILE, ModelMetadata, load_metadata, parse_metadata
from runtime.atomic import exchange_paths, fsync_dir, locked

CHECKSUM_FILE = "checksum.txt"
GRAPH_FILES = {".pb": "model.pb", ".onnx": "model.onnx"}
DEFAULT_MAX_EXPANDED_BYTES = 1 << 30      # 1 GiB of decompressed archive data
MAX_MEMBERS = 20000
MAX_METADATA_BYTES = 1 << 20
LOCK_FILE = ".models.lock"
_STAGING_PREFIX = ".import-"
_TRASH_PREFIX = ".old-"          # a replaced model during the swap (restored if the swap was cut short)
_DELETED_PREFIX = ".deleted-"    # a deleted model being removed (always removed on recovery)
_NAME_MAX = 200


@dataclass
class ImportResult:
    name: str
    path: Path                      # the model folder
    graph: Path                     # model.pb / model.onnx inside it
    checksum: str                   # md5 hex of the graph
    metadata: ModelMetadata
    replaced: bool = False          # an older model of the same name was replaced
    unchanged: bool = False         # identical graph and metadata were already installed; nothing written
    warnings: list[str] = field(default_factory=list)


@dataclass
class ModelInfo:
    name: str
    path: Path
    graph: Path | None
    checksum: str | None
    size_bytes: int
    created: float                  # epoch seconds (install time)
    metadata: ModelMetadata | None
    error: str | None = None        # why the model cannot be loaded (bad/missing metadata or graph)

    @property
    def ready(self) -> bool:
        return self.graph is not None and bool(self.checksum) and self.metadata is not None


# --------------------------------------------------------------------------------------------------
# names


def model_name_for(archive_path: str | Path) -> str:
    """The original's rule: the file name up to the first ".", spaces replaced by "_"."""
    base = Path(archive_path).name
    stem = base.split(".", 1)[0] if not base.startswith(".") else base
    return stem.replace(" ", "_")


def validate_model_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ModelImportError("the model name is empty")
    name = name.strip()
    if name in (".", "..") or name.startswith("."):
        raise ModelImportError(f"model name {name!r} must not start with '.'")
    if "/" in name or "\\" in name or "\x00" in name:
        raise ModelImportError(f"model name {name!r} must not contain '/' or '\\'")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ModelImportError(f"model name {name!r} contains control characters")
    if len(name.encode()) > _NAME_MAX:
        raise ModelImportError(f"model name is longer than {_NAME_MAX} bytes")
    return name


# --------------------------------------------------------------------------------------------------
# reading archives


class _TooLarge(Exception):
    pass


class _LimitedReader(io.RawIOBase):
    """Counts the bytes read through it and stops past the limit (zip-bomb guard)."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        super().__init__()
        self._raw = raw
        self.limit = limit
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self._raw.read(-1 if size is None else size)
        self.count += len(data)
        if self.count > self.limit:
            raise _TooLarge()
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@dataclass
class _Collected:
    graphs: list[tuple[str, Path]] = field(default_factory=list)     # (member name, staged file)
    metadata: list[tuple[str, bytes]] = field(default_factory=list)  # (member name, content)


def _member_parts(name: str, archive: str) -> tuple[str, ...]:
    raw = name.replace("\\", "/")
    if raw.startswith("/") or re.match(r"^[A-Za-z]:/", raw):
        raise ModelImportError(f"{archive}: member {name!r} is an absolute path; refusing the archive")
    parts = tuple(p for p in PurePosixPath(raw).parts if p not in ("", "."))
    if ".." in parts:
        raise ModelImportError(f"{archive}: member {name!r} points outside the model folder; refusing the archive")
    if "\x00" in raw:
        raise ModelImportError(f"{archive}: member {name!r} has a NUL byte in its name")
    return parts


def _ignored(parts: tuple[str, ...]) -> bool:
    """macOS resource forks (._x, __MACOSX/) that Finder and bsdtar add to archives."""
    return bool(parts) and (parts[0] == "__MACOSX" or parts[-1].startswith("._"))


def _graph_suffix(filename: str) -> str | None:
    lower = filename.lower()
    for suffix in GRAPH_FILES:
        if lower.endswith(suffix):
            return suffix
    return None


def _copy_stream(src: IO[bytes], dest: Path, limit: int, label: str) -> int:
    written = 0
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "wb") as out:
        while True:
            block = src.read(1 << 20)
            if not block:
                break
            written += len(block)
            if written > limit:
                raise _TooLarge()
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    return written


def _read_tar(stream: IO[bytes], archive: str, staging: Path, limit: int) -> _Collected:
    found = _Collected()
    members = 0
    try:
        tar = tarfile.open(fileobj=stream, mode="r|")
    except tarfile.ReadError:
        raise ModelImportError(f"{archive} is not a valid tar archive (corrupt or truncated)") from None
    with tar:
        for member in tar:
            members += 1
            if members > MAX_MEMBERS:
                raise ModelImportError(f"{archive} has more than {MAX_MEMBERS} entries; refusing the archive")
            parts = _member_parts(member.name, archive)
            if member.issym() or member.islnk():
                raise ModelImportError(f"{archive}: member {member.name!r} is a link; model archives may only "
                                       "contain regular files and folders")
            if member.ischr() or member.isblk():
                raise ModelImportError(f"{archive}: member {member.name!r} is a device file; refusing the archive")
            if member.isfifo():
                raise ModelImportError(f"{archive}: member {member.name!r} is a FIFO; refusing the archive")
            if member.isdir():
                continue
            if not member.isfile() or member.issparse():
                raise ModelImportError(f"{archive}: member {member.name!r} is not a regular file; refusing the archive")
            if not parts or _ignored(parts):
                continue
            filename = parts[-1]
            suffix = _graph_suffix(filename)
            if suffix is not None:
                if found.graphs:
                    names = ", ".join([n for n, _ in found.graphs] + ["/".join(parts)])
                    raise ModelImportError(f"{archive} contains more than one model graph ({names}); "
                                           "a model archive must hold exactly one .pb or .onnx file")
                handle = tar.extractfile(member)
                assert handle is not None
                dest = staging / f".graph{suffix}"
                _copy_stream(handle, dest, limit, archive)
                found.graphs.append(("/".join(parts), dest))
            elif filename == METADATA_FILE:
                if member.size > MAX_METADATA_BYTES:
                    raise ModelImportError(f"{archive}: {'/'.join(parts)} is larger than 1 MB; not a model_metadata.json")
                handle = tar.extractfile(member)
                assert handle is not None
                found.metadata.append(("/".join(parts), handle.read()))
    return found


def _is_tar_block(block: bytes) -> bool:
    if len(block) < 512:
        return False
    if block[257:262] == b"ustar":
        return True
    try:  # old V7 tar: verify the header checksum
        stored = int(block[148:156].split(b"\x00", 1)[0].strip() or b"-1", 8)
    except ValueError:
        return False
    computed = sum(block[:148]) + 8 * 32 + sum(block[156:512])
    return stored == computed


def _open_gzip(path: Path) -> gzip.GzipFile:
    return gzip.GzipFile(filename=str(path), mode="rb")


def _collect(source: Path, staging: Path, limit: int, metadata_path: Path | None) -> tuple[_Collected, str]:
    """Read `source` into the staging folder; returns what was found and a label for messages."""
    label = source.name
    if source.is_dir():
        return _collect_folder(source, staging, limit), label
    if not source.is_file():
        raise ModelImportError(f"{source} is not a regular file")
    with open(source, "rb") as handle:
        head = handle.read(512)
    if head[:2] == b"\x1f\x8b":
        try:
            with _open_gzip(source) as gz:
                inner_head = gz.read(512)
            with _open_gzip(source) as gz:
                reader = _LimitedReader(gz, limit)  # type: ignore[arg-type]
                if _is_tar_block(inner_head):
                    found = _read_tar(reader, label, staging, limit)  # type: ignore[arg-type]
                    # tar stops at its end-of-archive blocks; gzip checks its CRC only at the very end of the
                    # stream, so read to there: a flipped byte in a member must not slip in as altered weights
                    while reader.read(1 << 20):
                        pass
                else:
                    inner = source.name[:-3] if source.name.lower().endswith(".gz") else source.name
                    suffix = _graph_suffix(inner)
                    if suffix is None:
                        while reader.read(1 << 20):  # a corrupt stream is reported as such, not as an unknown file
                            pass
                        raise ModelImportError(f"{label} is a gzip file but neither a tar archive nor a "
                                               "gzipped .pb/.onnx graph")
                    found = _Collected()
                    dest = staging / f".graph{suffix}"
                    _copy_stream(reader, dest, limit, label)  # type: ignore[arg-type]
                    found.graphs.append((inner, dest))
                    _sibling_metadata(source, found, metadata_path)
        except (gzip.BadGzipFile, zlib.error, EOFError) as exc:
            raise ModelImportError(f"{label} is not a valid gzip archive (corrupt or truncated): "
                                   f"{exc}") from None
        except OSError as exc:
            if exc.errno is not None:
                raise
            raise ModelImportError(f"{label} is not a valid gzip archive (corrupt or truncated): "
                                   f"{exc}") from None
        except tarfile.TarError as exc:
            raise ModelImportError(f"{label} is not a valid tar archive (corrupt or truncated): {exc}") from None
        return found, label
    if _is_tar_block(head):
        try:
            with open(source, "rb") as raw:
                found = _read_tar(_LimitedReader(raw, limit), label, staging, limit)  # type: ignore[arg-type]
        except tarfile.TarError as exc:
            raise ModelImportError(f"{label} is not a valid tar archive (corrupt or truncated): {exc}") from None
        return found, label
    suffix = _graph_suffix(source.name)
    lower = source.name.lower()
    if suffix is None:
        if lower.endswith((".tar.gz", ".tgz", ".gz")):
            raise ModelImportError(f"{label} is not a valid gzip archive (corrupt or truncated)")
        if lower.endswith(".tar"):
            raise ModelImportError(f"{label} is not a valid tar archive (corrupt or truncated)")
        raise ModelImportError(f"{label}: unsupported file; upload a model .tar.gz (as downloaded from the "
                               "training console), a .tar, or a .pb/.onnx graph with its model_metadata.json")
    found = _Collected()
    dest = staging / f".graph{suffix}"
    with open(source, "rb") as raw:
        _copy_stream(raw, dest, limit, label)
    found.graphs.append((source.name, dest))
    _sibling_metadata(source, found, metadata_path)
    return found, label


def _sibling_metadata(source: Path, found: _Collected, metadata_path: Path | None) -> None:
    candidate = metadata_path or source.parent / METADATA_FILE
    if candidate.is_file():
        if candidate.stat().st_size > MAX_METADATA_BYTES:
            raise ModelImportError(f"{candidate} is larger than 1 MB; not a model_metadata.json")
        found.metadata.append((METADATA_FILE, candidate.read_bytes()))
    elif metadata_path is not None:
        raise ModelImportError(f"{metadata_path} not found")


def _collect_folder(folder: Path, staging: Path, limit: int) -> _Collected:
    found = _Collected()
    total = 0
    for root, dirs, files in os.walk(folder, followlinks=False):
        rel_root = Path(root).relative_to(folder)
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__MACOSX"]
        for filename in sorted(files):
            path = Path(root) / filename
            rel = (rel_root / filename).as_posix()
            if filename.startswith("."):
                continue
            info = path.lstat()
            suffix = _graph_suffix(filename)
            if suffix is None and filename != METADATA_FILE:
                continue
            if not path.is_file() or path.is_symlink():
                raise ModelImportError(f"{folder.name}: {rel} is not a regular file")
            total += info.st_size
            if total > limit:
                raise _TooLarge()
            if suffix is not None:
                if found.graphs:
                    names = ", ".join([n for n, _ in found.graphs] + [rel])
                    raise ModelImportError(f"{folder.name} contains more than one model graph ({names}); "
                                           "keep exactly one .pb or .onnx file")
                dest = staging / f".graph{suffix}"
                with open(path, "rb") as raw:
                    _copy_stream(raw, dest, limit, folder.name)
                found.graphs.append((rel, dest))
            elif info.st_size <= MAX_METADATA_BYTES:
                found.metadata.append((rel, path.read_bytes()))
    return found


def _pick_metadata(found: _Collected, label: str) -> tuple[str, bytes]:
    if not found.metadata:
        raise MetadataError(f"{label} has no {METADATA_FILE}; it must sit at the archive root next to "
                            "agent/model.pb (as in the model.tar.gz the training console exports)")
    at_root = [m for m in found.metadata if "/" not in m[0]]
    if len(at_root) == 1:
        return at_root[0]
    if len(found.metadata) == 1:
        return found.metadata[0]
    names = ", ".join(n for n, _ in found.metadata)
    raise MetadataError(f"{label} has several {METADATA_FILE} files ({names}); keep one at the archive root")


def _check_graph(graph: Path, metadata: ModelMetadata, label: str, member: str) -> list[str]:
    warnings: list[str] = []
    if graph.suffix != ".pb":
        if graph.stat().st_size == 0:
            raise ModelImportError(f"{label}: {member} is empty")
        return warnings
    try:
        from inference.tfgraph import graph_placeholders, read_graph, sensor_of_input
    except ImportError:  # pragma: no cover - protos not installed: the engine will check at load time
        return warnings
    try:
        parsed = read_graph(graph.read_bytes())
    except ValueError as exc:
        raise ModelImportError(f"{label}: {member} is {exc}") from None
    except ImportError:  # pragma: no cover
        return warnings
    inputs = {name: sensor_of_input(name) for name in graph_placeholders(parsed)}
    sensors = {s for s in inputs.values() if s}
    if not sensors:
        raise ModelImportError(f"{label}: {member} has no DeepRacer sensor input (expected a placeholder such "
                               "as main_level/agent/main/online/network_0/FRONT_FACING_CAMERA/FRONT_FACING_CAMERA)")
    missing = [s for s in metadata.sensors if s not in sensors]
    if missing and not (missing == [metadata.camera_sensor] and len(sensors & {"observation", "FRONT_FACING_CAMERA",
                                                                                "LEFT_CAMERA"}) == 1):
        warnings.append(f"{METADATA_FILE} lists {', '.join(missing)} but the graph's inputs are "
                        f"{', '.join(sorted(sensors))}")
    return warnings


# --------------------------------------------------------------------------------------------------
# installing


def _models_lock(artifacts: Path) -> contextlib.AbstractContextManager[None]:
    return locked(artifacts / LOCK_FILE)


def _lock_staging(staging: Path) -> int:
    """An fd holding an exclusive flock on the staging folder: it is in use until closed (or the process dies)."""
    fd = os.open(staging, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        os.close(fd)
        raise
    return fd


def _staging_in_use(staging: Path) -> bool:
    try:
        fd = os.open(staging, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # also drops the lock we may just have taken
    return False


def _recover(artifacts: Path) -> list[str]:
    """Under the lock: finish what a power cut or a kill interrupted (leftover staging and replaced
    folders); returns the names of the leftovers removed or put back."""
    handled: list[str] = []
    for entry in artifacts.iterdir():
        name = entry.name
        if name.startswith(_TRASH_PREFIX) and entry.is_dir():
            original = name[len(_TRASH_PREFIX):].rsplit(".", 1)[0]
            target = artifacts / original
            if original and not target.exists() and not original.startswith("."):
                os.rename(entry, target)  # the swap was cut between its two renames: put the old one back
            else:
                shutil.rmtree(entry, ignore_errors=True)
            handled.append(name)
        elif name.startswith(_DELETED_PREFIX) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
            handled.append(name)
        elif name.startswith(_STAGING_PREFIX) and entry.is_dir() and not entry.is_symlink() \
                and not _staging_in_use(entry):
            shutil.rmtree(entry, ignore_errors=True)
            handled.append(name)
    return handled


def clean_stale_imports(artifacts_dir: str | Path) -> list[str]:
    """Remove what interrupted imports and deletions left in the models folder (a process killed
    mid-import leaves a hidden `.import-*` folder); imports still running are left alone.
    Returns the names handled; never raises (a missing or unreadable folder has nothing to clean)."""
    artifacts = Path(artifacts_dir)
    if not artifacts.is_dir():
        return []
    try:
        with _models_lock(artifacts):
            return _recover(artifacts)
    except OSError:
        return []


def _same_model(existing: Path, checksum: str, metadata_bytes: bytes, graph_name: str) -> bool:
    try:
        return ((existing / CHECKSUM_FILE).read_text().strip() == checksum
                and (existing / METADATA_FILE).read_bytes() == metadata_bytes
                and (existing / graph_name).is_file())
    except OSError:
        return False


def import_model(archive_path: str | Path, artifacts_dir: str | Path, name: str | None = None, *,
                 metadata_path: str | Path | None = None,
                 max_expanded_bytes: int = DEFAULT_MAX_EXPANDED_BYTES) -> ImportResult:
    """Install a model archive/graph/folder as `<artifacts_dir>/<name>`; raises ModelImportError.

    On any error nothing changes: no file is written outside a private staging folder (removed again),
    and an installed model of the same name stays as it was.
    """
    source = Path(archive_path)
    if not source.exists():
        raise ModelImportError(f"{source} does not exist")
    name = validate_model_name(name if name is not None else model_name_for(source))
    artifacts = Path(artifacts_dir)
    artifacts.mkdir(parents=True, exist_ok=True)
    staging = artifacts / f"{_STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    with _models_lock(artifacts):  # created and locked before any cleaner can see it unlocked
        staging.mkdir(mode=0o755)
        staging_lock = _lock_staging(staging)
    try:
        try:
            found, label = _collect(source, staging, max_expanded_bytes,
                                    Path(metadata_path) if metadata_path else None)
        except _TooLarge:
            raise ModelImportError(f"{source.name} expands to more than {max_expanded_bytes // (1 << 20)} MB; "
                                   "refusing it (is it really a model archive?)") from None
        if not found.graphs:
            raise ModelImportError(f"{label} contains no model graph; expected agent/model.pb (or model.pb, "
                                   "model.onnx) inside the archive")
        member, staged_graph = found.graphs[0]
        meta_name, meta_bytes = _pick_metadata(found, label)
        metadata = parse_metadata(meta_bytes, source=f"{label}: {meta_name}" if meta_name != label else label)
        warnings = _check_graph(staged_graph, metadata, label, member)
        graph_name = GRAPH_FILES[staged_graph.suffix]
        graph = staging / graph_name
        os.rename(staged_graph, graph)
        checksum = _md5(graph)
        _write_file(staging / METADATA_FILE, meta_bytes)
        _write_file(staging / CHECKSUM_FILE, (checksum + "\n").encode())
        fsync_dir(staging)
        dest = artifacts / name
        with _models_lock(artifacts):
            _recover(artifacts)
            if dest.is_dir() and _same_model(dest, checksum, meta_bytes, graph_name):
                shutil.rmtree(staging, ignore_errors=True)
                return ImportResult(name=name, path=dest, graph=dest / graph_name, checksum=checksum,
                                    metadata=metadata, unchanged=True, warnings=warnings)
            replaced = dest.exists() or dest.is_symlink()
            if replaced and dest.is_dir():
                _carry_ir_cache(dest, staging, checksum, graph_name)
            if not replaced:
                os.rename(staging, dest)
            elif dest.is_dir() and not dest.is_symlink() and exchange_paths(staging, dest):
                shutil.rmtree(staging, ignore_errors=True)  # now holds the old model
            else:
                trash = artifacts / f"{_TRASH_PREFIX}{name}.{secrets.token_hex(4)}"
                os.rename(dest, trash)
                os.rename(staging, dest)
                fsync_dir(artifacts)
                if trash.is_dir() and not trash.is_symlink():
                    shutil.rmtree(trash, ignore_errors=True)
                else:
                    trash.unlink()
            fsync_dir(artifacts)
        return ImportResult(name=name, path=dest, graph=dest / graph_name, checksum=checksum, metadata=metadata,
                            replaced=replaced, warnings=warnings)
    except OSError as exc:
        raise ModelImportError(f"cannot install {source.name}: {exc.strerror or exc}") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        os.close(staging_lock)


def _carry_ir_cache(old: Path, new: Path, checksum: str, graph_name: str) -> None:
    """Same graph, new metadata: keep the converted IR (its stamp is re-validated at every load)."""
    try:
        if (old / CHECKSUM_FILE).read_text().strip() != checksum or not (old / graph_name).is_file():
            return
    except OSError:
        return
    stem = Path(graph_name).stem
    for suffix in (".xml", ".bin", ".ir.json"):
        src = old / f"{stem}{suffix}"
        if src.is_file() and not src.is_symlink():
            with contextlib.suppress(OSError):
                try:
                    os.link(src, new / src.name)
                except OSError:
                    shutil.copy2(src, new / src.name)


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_file(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


# --------------------------------------------------------------------------------------------------
# listing and deleting


def _find_graph(folder: Path) -> Path | None:
    for candidate in ("model.pb", "model.onnx"):
        if (folder / candidate).is_file():
            return folder / candidate
    graphs = sorted(p for p in folder.glob("*") if p.suffix in GRAPH_FILES and p.is_file())
    return graphs[0] if graphs else None


def _folder_size(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for f in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, f)).st_size
    return total


def get_model(artifacts_dir: str | Path, name: str) -> ModelInfo:
    name = validate_model_name(name)
    folder = Path(artifacts_dir) / name
    if not folder.is_dir():
        raise ModelNotFoundError(f"model {name!r} is not installed")
    return _info(folder)


def _info(folder: Path) -> ModelInfo:
    graph = _find_graph(folder)
    checksum: str | None = None
    checksum_path = folder / CHECKSUM_FILE
    with contextlib.suppress(OSError):
        checksum = checksum_path.read_text().strip() or None
    metadata: ModelMetadata | None = None
    error: str | None = None
    try:
        metadata = load_metadata(folder / METADATA_FILE)
    except MetadataError as exc:
        error = str(exc)
    if graph is None:
        error = error or f"{folder.name} has no model graph (model.pb)"
    elif not checksum:
        error = error or f"{folder.name} has no {CHECKSUM_FILE}; import the model again"
    try:
        created = (checksum_path if checksum_path.exists() else folder).stat().st_mtime
    except OSError:
        created = time.time()
    return ModelInfo(name=folder.name, path=folder, graph=graph, checksum=checksum, size_bytes=_folder_size(folder),
                     created=created, metadata=metadata, error=error)


def list_models(artifacts_dir: str | Path) -> list[ModelInfo]:
    """Every installed model folder, sorted by name (hidden staging folders excluded)."""
    artifacts = Path(artifacts_dir)
    if not artifacts.is_dir():
        return []
    models = []
    for entry in sorted(artifacts.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        models.append(_info(entry))
    return models


def is_model_ready(artifacts_dir: str | Path, name: str) -> bool:
    """The original verify_model_ready rule (non-empty checksum.txt), plus a graph being present."""
    try:
        name = validate_model_name(name)
    except ModelImportError:
        return False
    folder = Path(artifacts_dir) / name
    try:
        return bool((folder / CHECKSUM_FILE).read_text().strip()) and _find_graph(folder) is not None
    except OSError:
        return False


def delete_model(artifacts_dir: str | Path, name: str) -> None:
    """Remove one installed model; raises ModelNotFoundError when it is not there."""
    name = validate_model_name(name)
    artifacts = Path(artifacts_dir)
    folder = artifacts / name
    if not (folder.is_dir() or folder.is_symlink()):
        raise ModelNotFoundError(f"model {name!r} is not installed")
    with _models_lock(artifacts):
        if folder.is_symlink():
            folder.unlink()
        elif folder.is_dir():
            trash = artifacts / f"{_DELETED_PREFIX}{name}.{secrets.token_hex(4)}"
            os.rename(folder, trash)
            fsync_dir(artifacts)
            # the model is gone for every reader now; a power cut here leaves only hidden trash
            shutil.rmtree(trash, ignore_errors=True)
        else:
            raise ModelNotFoundError(f"model {name!r} is not installed")


# --------------------------------------------------------------------------------------------------
# the model_loader_node's console_model_action (ConsoleModelActionSrv), without ROS

UPLOAD_DONE = "done-upload"
UPLOAD_FAILED = "failure-on-upload"
DELETE_DONE = "done-delete"
DELETE_FAILED = "failure-on-delete"
PATH_MISSING = "model-path-does-not-exist"
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".pb", ".onnx", ".gz")


def _archives_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.is_symlink() and not p.name.startswith(".")
                  and p.name.lower().endswith(_ARCHIVE_SUFFIXES))


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def console_model_action(artifacts_dir: str | Path, model_path: str | Path, action: int) -> str:
    """Upload (action 1) or delete (action 0) as the original service, returning its status string.

    Upload: `model_path` is an archive, or a folder holding the uploaded archive (the console saves
    `<artifacts>/<folder>/<folder>.tar.gz` and passes the folder) or a model.pb + model_metadata.json.
    Success -> "done-upload"; failure -> "failure-on-upload: <reason>" (the original gave no reason).
    Delete: `model_path` is `<artifacts>/<name>` -> "done-delete", "failure-on-delete: <reason>" or
    "model-path-does-not-exist".
    """
    artifacts = Path(artifacts_dir)
    path = Path(model_path)
    if action == 0:
        if not (path.exists() or path.is_symlink()):
            return PATH_MISSING
        if path.parent.resolve() != artifacts.resolve():
            return f"{DELETE_FAILED}: {path} is not a model folder in {artifacts}"
        try:
            delete_model(artifacts, path.name)
        except ModelImportError as exc:
            return f"{DELETE_FAILED}: {exc}"
        except OSError as exc:
            return f"{DELETE_FAILED}: {exc.strerror or exc}"
        return DELETE_DONE
    if action != 1:
        return f"{UPLOAD_FAILED}: unknown action {action} (1 upload, 0 delete)"
    if not path.exists():
        return PATH_MISSING
    upload_folder = path if path.is_dir() else None
    in_artifacts = upload_folder is not None and upload_folder.parent.resolve() == artifacts.resolve()
    try:
        if upload_folder is None:
            results = [import_model(path, artifacts)]
        else:
            archives = [p for p in _archives_in(upload_folder) if _graph_suffix(p.name) is None]
            if not archives:  # a plain model folder: model.pb + model_metadata.json
                results = [import_model(upload_folder, artifacts, upload_folder.name)]
            else:
                results = []
                for archive in archives:
                    name = upload_folder.name if in_artifacts and len(archives) == 1 else model_name_for(archive)
                    results.append(import_model(archive, artifacts, name))
    except ModelImportError as exc:
        if in_artifacts and upload_folder is not None and not (upload_folder / CHECKSUM_FILE).exists():
            shutil.rmtree(upload_folder, ignore_errors=True)  # the console's half-made upload folder
        return f"{UPLOAD_FAILED}: {exc}"
    for result in results:
        for leftover in _archives_in(result.path):
            if _graph_suffix(leftover.name) is None and result.unchanged:
                leftover.unlink()
    return UPLOAD_DONE
