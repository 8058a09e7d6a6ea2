"""`wifi-creds.txt`: finding it on a drive, parsing it, and listing visible networks in it.

Parsing follows the original (and the Developer Guide) exactly, so every file that worked on the
original car works here:

- every line is stripped; a line starting with `#` is a comment;
- a line needs a `:`; it is split at the FIRST colon (values may contain colons);
- the key is the stripped left part, lower-cased (`SSID`, `Ssid` and `ssid` are the same key;
  an empty key is ignored);
- the value is the stripped right part with one surrounding pair of single quotes removed, then
  one surrounding pair of double quotes; what is inside the quotes is kept as is (spaces too);
- a key given twice: the last one wins;
- keys used: `ssid` (required), `password` (default ""); `connection` and `forceConnect` are
  accepted and ignored like on the original.

Tolerated on top (files the original misread): a UTF-8 byte-order mark (Windows Notepad), files in
the Windows ANSI code page, and typographic quotes (‘…’, “…”) that macOS TextEdit substitutes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

CREDS_FILE_NAME = "wifi-creds.txt"
#: Names accepted at the root of a drive (case-insensitive). Windows hides known extensions, so a
#: user who types "wifi-creds.txt" in Notepad often saves "wifi-creds.txt.txt".
CREDS_FILE_NAMES = ("wifi-creds.txt", "wifi-creds.txt.txt")

_SINGLE_QUOTES = (("'", "'"), ("\u2018", "\u2019"), ("\u2019", "\u2019"), ("\u2018", "\u2018"))
_DOUBLE_QUOTES = (('"', '"'), ("\u201c", "\u201d"), ("\u201d", "\u201d"), ("\u201c", "\u201c"))

LIST_START = "# >>> Wi-Fi networks"
LIST_END = "# <<< end of the list of Wi-Fi networks"


@dataclass(frozen=True)
class WifiCreds:
    """Parsed `wifi-creds.txt`. `values` holds every key (lower-cased) with its value."""

    values: Mapping[str, str]

    @property
    def ssid(self) -> str:
        return self.values.get("ssid", "")

    @property
    def password(self) -> str:
        return self.values.get("password", "")

    @property
    def has_ssid(self) -> bool:
        return bool(self.ssid)

    def __repr__(self) -> str:  # never show the password, not even in a debugger or a traceback
        shown = {k: ("********" if k == "password" and v else v) for k, v in self.values.items()}
        return f"WifiCreds({shown!r})"

    __str__ = __repr__


def _strip_pair(value: str, pairs: Iterable[tuple[str, str]]) -> str:
    if len(value) >= 2:
        for opening, closing in pairs:
            if value.startswith(opening) and value.endswith(closing):
                return value[1:-1]
    return value


def parse_line(line: str) -> tuple[str, str] | None:
    """One line → (lower-cased key, value), or None for comments, blank and malformed lines."""
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    if ":" not in line:
        return None
    key, value = line.split(":", 1)
    key = key.strip()
    if not key:
        return None
    value = value.strip()
    value = _strip_pair(value, _SINGLE_QUOTES)
    value = _strip_pair(value, _DOUBLE_QUOTES)
    return key.lower(), value


def parse_wifi_creds(text: str) -> WifiCreds:
    values: dict[str, str] = {}
    for line in text.lstrip("\ufeff").splitlines():
        parsed = parse_line(line)
        if parsed is not None:
            values[parsed[0]] = parsed[1]
    return WifiCreds(values)


def decode_creds_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, else the Windows ANSI code page, never an exception."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_wifi_creds(path: Path) -> WifiCreds:
    """Parse a file; an unreadable file gives no keys (like the original's `{}`)."""
    try:
        return parse_wifi_creds(decode_creds_bytes(path.read_bytes()))
    except OSError:
        return WifiCreds({})


def find_creds_files(root: Path) -> list[Path]:
    """`wifi-creds.txt` files at the root of a drive, in the order they are processed.

    The exact name first, then the others in name order (several can exist on file systems that
    keep the case of names, e.g. `wifi-creds.txt` and `WiFi-Creds.txt` on exFAT or ext4).
    """
    try:
        entries = list(root.iterdir())
    except OSError:
        return []
    found = [p for p in entries if p.name.lower() in CREDS_FILE_NAMES and not p.name.startswith(".")
             and p.is_file()]
    return sorted(found, key=lambda p: (p.name != CREDS_FILE_NAME, p.name.lower() != CREDS_FILE_NAME, p.name))


def _quote(ssid: str) -> str:
    return f"'{ssid}'"


def render_network_list(networks: Iterable[str], hostname: str, timestamp: str) -> list[str]:
    """The commented block of visible networks appended to an empty `wifi-creds.txt`."""
    names = [n for n in networks if n and "\n" not in n and "\r" not in n]
    lines = [f"{LIST_START} seen by {hostname} on {timestamp}, strongest first."]
    if names:
        lines.append("# To use one, remove the # in front of its ssid line and type its password")
        lines.append("# between the quotes of the password line, then plug the drive in again.")
        lines.extend(f"#ssid: {_quote(name)}" for name in names)
    else:
        lines.append("# No Wi-Fi network was visible. Type the name (SSID) and password of yours above.")
    lines.append(LIST_END)
    return lines


def with_network_list(text: str, networks: Iterable[str], hostname: str, timestamp: str) -> str:
    """`text` with any earlier network list removed and a fresh one appended.

    A `password: ''` line is added after the list when the file has no password line yet, so the
    user only has to uncomment one line and type the password.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    kept: list[str] = []
    inside = False
    for line in text.lstrip("\ufeff").splitlines():
        stripped = line.strip()
        if stripped.startswith(LIST_START):
            inside = True
            continue
        if inside:
            if stripped.startswith(LIST_END):
                inside = False
            continue
        kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    has_password_line = any((parse_line(line) or ("", ""))[0] == "password" for line in kept)
    block = render_network_list(networks, hostname, timestamp)
    out = kept + ([""] if kept else []) + block
    if not has_password_line:
        out.append("password: ''")
    return newline.join(out) + newline
