"""Who may import whom: the homes of the code keep their promises (checked on the source, no imports run).

- the vehicle contract (`vehicle/`) stands on the standard library alone;
- libraries never import rclpy (nodes in ros2_ws/src are the only ROS code);
- nothing that runs on a real car imports the simulator (`sim/`): the drivers read what it writes
  through `drivers/frame_file.py` and `drivers/smbus_emulators.py`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIBRARIES = ("vehicle", "runtime", "drivers", "calibration", "perception", "inference", "device_console",
             "usb_wifi_provisioner", "updates", "launcher", "recording", "sim")
ON_THE_CAR = [lib for lib in LIBRARIES if lib != "sim"] + ["ros2_ws/src"]


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def sources(*folders: str) -> list[Path]:
    found = [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]
    assert found, folders
    return found


def test_the_vehicle_contract_needs_only_the_standard_library() -> None:
    for path in sources("vehicle"):
        outside = {root for root in imported_roots(path) if root not in sys.stdlib_module_names} - {"vehicle"}
        assert not outside, f"{path.relative_to(ROOT)} imports {sorted(outside)}"


@pytest.mark.parametrize("library", LIBRARIES)
def test_libraries_never_import_rclpy(library: str) -> None:
    for path in sources(library):
        assert "rclpy" not in imported_roots(path), path.relative_to(ROOT)


@pytest.mark.parametrize("folder", ON_THE_CAR)
def test_nothing_on_the_car_imports_the_simulator(folder: str) -> None:
    for path in sources(folder):
        assert "sim" not in imported_roots(path), path.relative_to(ROOT)
