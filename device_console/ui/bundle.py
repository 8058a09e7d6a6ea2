"""Installable console UIs: a third-party browser console served by our backend.

The original car and its community successor install a console as a folder (the layout nginx and
Flask serve): `<state>/lib/device_console/templates/{index.html,login.html}` (Flask templates
holding `{{ csrf_token() }}`) and `<state>/lib/device_console/static/` (scripts, styles,
`manifest.json`). When `templates/index.html` exists there, the console serves that UI at `/`,
`/home`, `/login` and its `static/` at `/static/`; otherwise its own built-in UI. The check is made
per request, so switching never needs a restart. The built-in UI stays reachable at `/builtin/`.

    install_ui(source, state_dir)   a folder, .tar.gz/.tgz/.tar or .zip -> the active UI
    use_builtin(state_dir)          the installed UI is set aside (kept, re-activatable)
    reactivate(state_dir)           the UI set aside becomes active again
    ui_status(state_dir)            which UI is active, what is installed

Accepted bundle layouts (at the top of the folder/archive, or inside its single top folder):
`templates/index.html` (+ `templates/login.html`, `static/`), as installed on the original car; or
a flat build output with `index.html` (+ `login.html`) at the top and `static/` beside it (the
HTML files are moved into `templates/`).

Safety: only regular files and folders are accepted; absolute names, `..`, links, devices and FIFOs
refuse the whole bundle, as do more than MAX_FILES files, more than MAX_BUNDLE_BYTES in total, a
template over MAX_TEMPLATE_BYTES or one that is not UTF-8. The bundle is assembled in a staging
folder beside the live one and swapped in with one rename (an atomic exchange where the kernel has
it), so a failed or interrupted install leaves the current UI as it was.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import secrets
import shutil
import stat
import tarfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

from runtime.atomic import exchange_paths, fsync_dir, locked
from runtime.processes import pid_alive

UI_DIR_NAME = "device_console"
INACTIVE_SUFFIX = ".inactive"
INFO_FILE = ".deepracer-ui.json"
LOCK_FILE = ".console-ui.lock"
_STAGING_PREFIX = ".device_console.staging-"
_OLD_PREFIX = ".device_console.old-"
MAX_BUNDLE_BYTES = 200 * 1024 * 1024     # expanded size of the whole bundle
MAX_FILES = 10000
MAX_TEMPLATE_BYTES = 1024 * 1024          # each *.html template is read at every page request
PAGES = ("index.html", "login.html")
CSRF_MARK = "csrf_token()"


class UiBundleError(Exception):
    """A bundle was refused or the switch failed; the message says why. Nothing was changed."""


def lib_dir(state_dir: Path) -> Path:
    return Path(state_dir) / "lib"


def ui_dir(state_dir: Path) -> Path:
    """`<state>/lib/device_console`: the installed UI (the original car's path under its state root)."""
    return lib_dir(state_dir) / UI_DIR_NAME


def inactive_dir(state_dir: Path) -> Path:
    """Where `use_builtin` keeps the installed UI so that it can be switched back on."""
    return lib_dir(state_dir) / (UI_DIR_NAME + INACTIVE_SUFFIX)


@dataclass(frozen=True)
class InstalledUi:
    root: Path
    name: str               # the folder or archive it was installed from
    installed_at: float | None
    files: int | None

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def static(self) -> Path:
        return self.root / "static"

    def page(self, name: str) -> Path:
        """`templates/<name>`; a bundle without login.html uses index.html (a single-page app)."""
        path = self.templates / name
        if name != "index.html" and not path.is_file():
            return self.templates / "index.html"
        return path

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "installed_at": self.installed_at, "files": self.files,
                "path": str(self.root)}


def _read_ui(root: Path) -> InstalledUi | None:
    if not (root / "templates" / "index.html").is_file():
        return None
    info: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        loaded = json.loads((root / INFO_FILE).read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            info = loaded
    name = info.get("name") if isinstance(info.get("name"), str) else "a console UI installed by hand"
    when = info.get("installed_at")
    files = info.get("files")
    return InstalledUi(root=root, name=str(name), installed_at=float(when) if isinstance(when, int | float) else None,
                       files=int(files) if isinstance(files, int) else None)


def is_active(state_dir: Path) -> bool:
    """An installed UI is being served (one stat: cheap enough for every request)."""
    return (ui_dir(state_dir) / "templates" / "index.html").is_file()


def active_ui(state_dir: Path) -> InstalledUi | None:
    """The installed UI when `<state>/lib/device_console/templates/index.html` exists, else None."""
    return _read_ui(ui_dir(state_dir))


def ui_status(state_dir: Path) -> dict[str, Any]:
    active = active_ui(state_dir)
    inactive = _read_ui(inactive_dir(state_dir))
    return {
        "active": "installed" if active else "builtin",
        "installed": active.as_dict() if active else None,
        "inactive": inactive.as_dict() if inactive else None,
    }


# --------------------------------------------------------------------------------------------------
# reading a bundle (folder, tar, zip) into a staging folder


@dataclass
class _Budget:
    files: int = 0
    total: int = 0

    def take(self, size: int, name: str) -> None:
        self.files += 1
        if self.files > MAX_FILES:
            raise UiBundleError(f"the bundle has more than {MAX_FILES} files")
        self.total += size
        if self.total > MAX_BUNDLE_BYTES:
            raise UiBundleError(f"the bundle is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB "
                                f"(reached at {name})")


def _safe_parts(name: str) -> tuple[str, ...]:
    """The path components of a member name; UiBundleError for anything that could leave the bundle."""
    if "\\" in name or "\x00" in name or any(ord(c) < 32 for c in name):
        raise UiBundleError(f"unsafe file name in the bundle: {name!r}")
    if name.startswith("/"):
        raise UiBundleError(f"absolute path in the bundle: {name!r} (path traversal refused)")
    parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
    if ".." in parts:
        raise UiBundleError(f"'..' in a path of the bundle: {name!r} (path traversal refused)")
    return parts


def _copy_limited(src: IO[bytes], dest: Path, budget: _Budget, label: str, declared: int) -> None:
    budget.take(0, label)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        raise UiBundleError(f"{label} appears twice in the bundle")
    written = 0
    with open(dest, "xb") as out:
        while True:
            block = src.read(1 << 20)
            if not block:
                break
            written += len(block)
            budget.total += len(block)
            if budget.total > MAX_BUNDLE_BYTES:
                raise UiBundleError(f"the bundle is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB "
                                    f"(reached at {label})")
            out.write(block)
        out.flush()
        os.fsync(out.fileno())  # the swap must never publish files a power cut would leave empty
    if declared >= 0 and written != declared:
        raise UiBundleError(f"{label} is truncated or corrupt in the archive")
    os.chmod(dest, 0o644)


def _read_folder(source: Path, tree: Path, budget: _Budget) -> None:
    for dirpath, dirnames, filenames in os.walk(source, followlinks=False):
        here = Path(dirpath)
        for name in sorted(dirnames + filenames):
            path = here / name
            rel = path.relative_to(source).as_posix()
            _safe_parts(rel)
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                raise UiBundleError(f"{rel} is a symbolic link; links are not allowed in a console UI")
            if stat.S_ISDIR(mode):
                (tree / rel).mkdir(parents=True, exist_ok=True)
                continue
            if not stat.S_ISREG(mode):
                raise UiBundleError(f"{rel} is not a regular file (device, FIFO or socket)")
            with open(path, "rb") as handle:
                _copy_limited(handle, tree / rel, budget, rel, os.fstat(handle.fileno()).st_size)


def _read_tar(source: Path, tree: Path, budget: _Budget) -> None:
    try:
        with contextlib.ExitStack() as stack:
            raw = stack.enter_context(open(source, "rb"))
            # gzip through GzipFile: tarfile's own stream reader never checks the gzip CRC, and a flipped byte
            # often decodes without a zlib error
            gzipped = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            stream = cast(IO[bytes], stack.enter_context(gzip.GzipFile(fileobj=raw)) if gzipped else raw)
            _read_tar_stream(stream, tree, budget)
            trailing = 0
            while block := stream.read(1 << 20):  # to the end, where gzip checks its CRC
                trailing += len(block)
                if trailing > MAX_BUNDLE_BYTES:
                    raise UiBundleError(f"{source.name} expands to more than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise UiBundleError(f"{source.name} is not a readable archive: {exc}") from None


def _read_tar_stream(stream: IO[bytes], tree: Path, budget: _Budget) -> None:
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            parts = _safe_parts(member.name)
            if member.isdir():
                if parts:
                    tree.joinpath(*parts).mkdir(parents=True, exist_ok=True)
                continue
            if member.issym() or member.islnk():
                raise UiBundleError(f"{member.name} is a link; links are not allowed in a console UI")
            if not member.isreg() or member.issparse():
                raise UiBundleError(f"{member.name} is not a regular file (device, FIFO or special member)")
            if not parts:
                raise UiBundleError(f"unsafe file name in the bundle: {member.name!r}")
            if member.size > MAX_BUNDLE_BYTES - budget.total:
                raise UiBundleError(f"the bundle is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB "
                                    f"(reached at {member.name})")
            handle = tar.extractfile(member)
            if handle is None:
                raise UiBundleError(f"{member.name} cannot be read from the archive")
            _copy_limited(handle, tree.joinpath(*parts), budget, member.name, member.size)


def _read_zip(source: Path, tree: Path, budget: _Budget) -> None:
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_FILES:
                raise UiBundleError(f"the bundle has more than {MAX_FILES} files")
            for info in infos:
                parts = _safe_parts(info.filename)
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    raise UiBundleError(f"{info.filename} is a symbolic link; links are not allowed in a console UI")
                if info.is_dir() or stat.S_ISDIR(mode):
                    if parts:
                        tree.joinpath(*parts).mkdir(parents=True, exist_ok=True)
                    continue
                if stat.S_IFMT(mode) and not stat.S_ISREG(mode):  # Unix type bits (absent: a plain file)
                    raise UiBundleError(f"{info.filename} is not a regular file (device, FIFO or socket)")
                if not parts:
                    raise UiBundleError(f"unsafe file name in the bundle: {info.filename!r}")
                if info.file_size > MAX_BUNDLE_BYTES - budget.total:
                    raise UiBundleError(f"the bundle is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB "
                                        f"(reached at {info.filename})")
                with archive.open(info) as handle:
                    _copy_limited(handle, tree.joinpath(*parts), budget, info.filename, info.file_size)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError,
            zlib.error) as exc:
        raise UiBundleError(f"{source.name} is not a readable archive: {exc}") from None


def _read_source(source: Path, tree: Path) -> None:
    budget = _Budget()
    if source.is_symlink() and source.is_dir():
        source = source.resolve()
    if source.is_dir():
        _read_folder(source, tree, budget)
    elif not source.is_file():
        raise UiBundleError(f"{source} does not exist")
    elif zipfile.is_zipfile(source):
        _read_zip(source, tree, budget)
    else:
        try:
            is_tar = tarfile.is_tarfile(source)
        except (OSError, EOFError, tarfile.TarError, zlib.error):
            is_tar = False
        if not is_tar:
            raise UiBundleError(f"{source.name} is not a folder, a .tar.gz/.tgz/.tar archive or a .zip archive "
                                "(or the archive is damaged)")
        _read_tar(source, tree, budget)


# --------------------------------------------------------------------------------------------------
# layout


def _bundle_root(tree: Path) -> tuple[Path, bool]:
    """(the folder holding the UI, whether its HTML files are flat at the top)."""
    candidates = [tree]
    entries = [e for e in tree.iterdir() if not e.name.startswith(".") and e.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_dir():
        candidates.append(entries[0])
    for root in candidates:
        if (root / "templates" / "index.html").is_file():
            return root, False
    for root in candidates:
        if (root / "index.html").is_file():
            return root, True
    raise UiBundleError("no index.html in the bundle: a console UI needs templates/index.html (and static/), "
                        "or index.html with static/ beside it")


def _check_pages(templates: Path) -> list[str]:
    warnings: list[str] = []
    for page in sorted(templates.glob("*.html")):
        size = page.stat().st_size
        if size > MAX_TEMPLATE_BYTES:
            raise UiBundleError(f"templates/{page.name} is larger than {MAX_TEMPLATE_BYTES // 1024} KB")
        try:
            text = page.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UiBundleError(f"templates/{page.name} is not UTF-8 text") from None
        if page.name in PAGES and CSRF_MARK not in text:
            warnings.append(f"templates/{page.name} has no {{{{ csrf_token() }}}}: the page cannot send the "
                            "CSRF token, so the car will refuse its changes")
    if not (templates / "index.html").stat().st_size:
        raise UiBundleError("templates/index.html is empty")
    return warnings


def _assemble(tree: Path, name: str) -> tuple[Path, int, list[str]]:
    """Turn the extracted tree into the installed layout; returns (folder, file count, warnings)."""
    root, flat = _bundle_root(tree)
    if flat:
        templates = root / "templates"
        if templates.exists():
            raise UiBundleError("the bundle has index.html at the top and a templates/ folder without it")
        templates.mkdir()
        for page in root.glob("*.html"):
            os.rename(page, templates / page.name)
    warnings = _check_pages(root / "templates")
    if not (root / "static").is_dir():
        warnings.append("the bundle has no static/ folder")
    elif not (root / "static" / "manifest.json").is_file():
        warnings.append("static/manifest.json is missing")
    files = 0
    for dirpath, dirnames, filenames in os.walk(root):
        files += len(filenames)
        for d in dirnames:
            os.chmod(Path(dirpath) / d, 0o755)
        fsync_dir(dirpath)
    os.chmod(root, 0o755)
    info = {"name": name, "installed_at": time.time(), "files": files}
    with open(root / INFO_FILE, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(info, indent=2) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    fsync_dir(root)
    return root, files, warnings


# --------------------------------------------------------------------------------------------------
# swapping


def _lock(lib: Path) -> contextlib.AbstractContextManager[None]:
    lib.mkdir(parents=True, exist_ok=True)
    return locked(lib / LOCK_FILE)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def _put_in_place(new: Path, target: Path) -> None:
    """`new` becomes `target` in one step; whatever was at `target` is removed afterwards."""
    lib = target.parent
    if not (target.exists() or target.is_symlink()):
        os.rename(new, target)
    elif target.is_dir() and not target.is_symlink() and exchange_paths(new, target):
        _remove(new)  # now holds the previous UI
    else:
        old = lib / f"{_OLD_PREFIX}{secrets.token_hex(4)}"
        os.rename(target, old)
        os.rename(new, target)
        _remove(old)
    fsync_dir(lib)


def _clean_leftovers(lib: Path) -> None:
    """Under the lock: staging and replaced folders that a power cut or a crash left behind."""
    for entry in lib.iterdir():
        if entry.name.startswith(_OLD_PREFIX):
            _remove(entry)
        elif entry.name.startswith(_STAGING_PREFIX):
            pid = entry.name[len(_STAGING_PREFIX):].split("-", 1)[0]
            if pid.isdigit() and not pid_alive(int(pid)):
                _remove(entry)


@dataclass
class InstallResult:
    ui: InstalledUi
    files: int
    warnings: list[str] = field(default_factory=list)
    replaced: bool = False


def install_ui(source: str | Path, state_dir: str | Path) -> InstallResult:
    """Validate `source` (folder or archive) and make it the active console UI; UiBundleError if refused."""
    src = Path(source)
    state = Path(state_dir)
    lib = lib_dir(state)
    if not src.exists():
        raise UiBundleError(f"{src} does not exist")
    lib.mkdir(parents=True, exist_ok=True)
    staging = lib / f"{_STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    ready = lib / f"{_STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}.ready"
    staging.mkdir(mode=0o755)
    try:
        tree = staging / "tree"
        tree.mkdir()
        try:
            _read_source(src, tree)
            root, files, warnings = _assemble(tree, src.resolve().name)
        except OSError as exc:
            raise UiBundleError(f"cannot read {src.name}: {exc.strerror or exc}") from None
        os.rename(root, ready)
        _remove(staging)
        with _lock(lib):
            target = ui_dir(state)
            replaced = active_ui(state) is not None
            try:
                _put_in_place(ready, target)
            except OSError as exc:
                raise UiBundleError(f"cannot install the UI in {target}: {exc.strerror or exc}") from None
            _clean_leftovers(lib)
        ui = active_ui(state)
        if ui is None:  # pragma: no cover - the layout was checked above
            raise UiBundleError("the installed UI has no templates/index.html")
        return InstallResult(ui=ui, files=files, warnings=warnings, replaced=replaced)
    finally:
        for leftover in (staging, ready):  # after a refusal (after a swap, `ready` is gone)
            _remove(leftover)


def use_builtin(state_dir: str | Path) -> bool:
    """Serve the built-in UI again; the installed one is kept aside (`reactivate`). False if already built-in."""
    state = Path(state_dir)
    lib = lib_dir(state)
    target = ui_dir(state)
    if not (target.exists() or target.is_symlink()):
        return False
    with _lock(lib):
        if not (target.exists() or target.is_symlink()):
            return False
        aside = inactive_dir(state)
        try:
            if aside.exists() or aside.is_symlink():
                old = lib / f"{_OLD_PREFIX}{secrets.token_hex(4)}"
                os.rename(aside, old)
                _remove(old)
            os.rename(target, aside)
            fsync_dir(lib)
        except OSError as exc:
            raise UiBundleError(f"cannot switch to the built-in UI: {exc.strerror or exc}") from None
    return True


def reactivate(state_dir: str | Path) -> InstalledUi:
    """Make the UI that `use_builtin` set aside the active one again."""
    state = Path(state_dir)
    lib = lib_dir(state)
    aside = inactive_dir(state)
    if _read_ui(aside) is None:
        raise UiBundleError("there is no installed console UI to switch to; install one with "
                            "`deepracer console-ui install DIR|ARCHIVE`")
    with _lock(lib):
        try:
            _put_in_place(aside, ui_dir(state))
        except OSError as exc:
            raise UiBundleError(f"cannot switch to the installed UI: {exc.strerror or exc}") from None
    ui = active_ui(state)
    if ui is None:
        raise UiBundleError("the installed UI has no templates/index.html")
    return ui
