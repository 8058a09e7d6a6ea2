"""The console's modules import each other in one direction (read from the source, so an import
hidden inside a function counts too): no cycles; `core/` needs nothing but itself; the domain
modules never reach up into the API; only the application factory (`main`) puts it all together."""

from __future__ import annotations

import ast
from pathlib import Path

import device_console

PACKAGE = Path(device_console.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(name: str) -> set[str]:
    """The package's modules `name` imports at run time (anywhere in the file)."""
    tree = ast.parse(MODULES[name].read_text())
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != "device_console")
    return found - {name}


GRAPH = {name: imports_of(name) for name in MODULES}


def layer(name: str) -> str:
    if name == "device_console.main":
        return "main"
    for part in ("api", "core"):
        if name == f"device_console.{part}" or name.startswith(f"device_console.{part}."):
            return part
    return "domain"


def test_the_graph_is_read_from_the_source() -> None:
    assert len(MODULES) >= 40
    assert "device_console.api.routes.control" in GRAPH["device_console.api.main"]
    assert "device_console.ui.bundle" in GRAPH["device_console.api.routes.console_ui"]  # `from pkg import module`


def test_no_import_cycles() -> None:
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycle = path[path.index(name):] + [name]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        for target in sorted(GRAPH[name]):
            visit(target, [*path, name])
        done.add(name)

    for name in sorted(GRAPH):
        visit(name, [])


def test_layers_point_one_way() -> None:
    allowed = {"main": {"main", "api", "core", "domain"}, "api": {"api", "core", "domain"},
               "domain": {"domain", "core"}, "core": {"core"}}
    wrong = [f"{name} imports {target}" for name, targets in GRAPH.items() for target in targets
             if layer(target) not in allowed[layer(name)]]
    assert wrong == []
