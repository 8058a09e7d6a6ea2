"""ROS 2 message definitions as the installed interface packages declare them.

A bag stores, per topic, the type name and its full definition (the `.msg` text of the type and of
every type it uses), so any reader decodes the CDR bytes without our code. The texts are read from
the `.msg` files that the interface packages install (`<prefix>/share/<pkg>/msg/<Type>.msg`, the
prefixes of `AMENT_PREFIX_PATH`), so a change of an interface (e.g. the community dialect's
`sensor_msgs/CompressedImage[] images`) is recorded as it is built, with no list kept here.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_PRIMITIVES = {"bool", "byte", "char", "float32", "float64", "int8", "uint8", "int16", "uint16", "int32",
               "uint32", "int64", "uint64", "string", "wstring"}
_FIELD = re.compile(r"^\s*([A-Za-z][\w/]*)(?:<=\d+)?(?:\[[^\]]*\])?\s+\w+")


class TypeDefinitionError(LookupError):
    pass


def prefixes() -> list[Path]:
    """Install prefixes to search: AMENT_PREFIX_PATH, then the interpreter's own prefix."""
    found = [Path(p) for p in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep) if p]
    found.append(Path(sys.prefix))
    return list(dict.fromkeys(found))


def normalize(type_name: str) -> str:
    """`pkg/Name`, `pkg/msg/Name` or `pkg.msg.Name` -> `pkg/msg/Name`."""
    parts = type_name.replace(".", "/").split("/")
    if len(parts) == 2:
        parts = [parts[0], "msg", parts[1]]
    if len(parts) != 3 or not all(parts):
        raise TypeDefinitionError(f"not a message type name: {type_name!r}")
    return "/".join(parts)


def msg_file(type_name: str, search: Iterable[Path] | None = None) -> Path:
    pkg, sub, name = normalize(type_name).split("/")
    for prefix in search if search is not None else prefixes():
        candidate = prefix / "share" / pkg / sub / f"{name}.msg"
        if candidate.is_file():
            return candidate
    raise TypeDefinitionError(f"no installed definition of {pkg}/{sub}/{name} (searched share/{pkg}/{sub} "
                              "under AMENT_PREFIX_PATH)")


def used_types(text: str, package: str) -> list[str]:
    """The message types a `.msg` text uses, fully qualified."""
    used = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0]
        match = _FIELD.match(line)
        if not match:
            continue
        base = match.group(1)
        if base in _PRIMITIVES:
            continue
        if base == "Header":
            used.append("std_msgs/msg/Header")
        elif "/" in base:
            used.append(normalize(base))
        else:
            used.append(f"{package}/msg/{base}")
    return list(dict.fromkeys(used))


def definitions(type_name: str, search: Iterable[Path] | None = None) -> dict[str, str]:
    """`{type: .msg text}` for the type and every type it uses (depth first, the type itself first)."""
    paths = list(search) if search is not None else prefixes()
    found: dict[str, str] = {}
    pending = [normalize(type_name)]
    while pending:
        current = pending.pop(0)
        if current in found:
            continue
        text = msg_file(current, paths).read_text()
        found[current] = text
        pending.extend(t for t in used_types(text, current.split("/")[0]) if t not in found)
    return found


def typestore_for(type_names: Iterable[str], search: Iterable[Path] | None = None) -> Any:
    """A `rosbags` typestore holding exactly the installed definitions of these types."""
    from rosbags.typesys import Stores, get_types_from_msg, get_typestore

    store = get_typestore(Stores.EMPTY)
    paths = list(search) if search is not None else prefixes()
    texts: dict[str, str] = {}
    for name in type_names:
        texts.update(definitions(name, paths))
    types: dict[str, Any] = {}
    for name, text in texts.items():
        types.update(get_types_from_msg(text, name))
    store.register(types)
    return store


SEPARATOR = "=" * 80


def full_definition(type_name: str, search: Iterable[Path] | None = None) -> str:
    """The definition as rosbag2 stores it (`ros2msg` encoding): the type's `.msg` text, then for each
    type it uses (each once, depth first) a line of 80 `=`, `MSG: pkg/Name` and that type's text."""
    texts = definitions(type_name, search)
    main = normalize(type_name)
    parts = [_ended(texts[main])]
    for name, text in texts.items():
        if name == main:
            continue
        pkg, _sub, short = name.split("/")
        parts.append(f"{SEPARATOR}\nMSG: {pkg}/{short}\n{_ended(text)}")
    return "".join(parts)


def _ended(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def installed_type_hash(type_name: str, search: Iterable[Path] | None = None) -> str | None:
    """The RIHS01 type hash the interface build wrote beside the `.msg` (`<Type>.json`), if any."""
    import json

    path = msg_file(type_name, search).with_suffix(".json")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    wanted = normalize(type_name)
    for entry in data.get("type_hashes", []):
        if isinstance(entry, dict) and entry.get("type_name") == wanted:
            value = entry.get("hash_string")
            return str(value) if value else None
    return None
