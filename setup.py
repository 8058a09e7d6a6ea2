"""The DeepRacer open on-vehicle stack: libraries, ROS 2 node modules and command-line tools.

Top-level libraries (no ROS): vehicle, runtime, drivers, calibration, perception, inference,
device_console, usb_wifi_provisioner, updates, launcher, recording, sim (the simulated car), cli. ROS 2 node packages live
in ros2_ws/src/<package>/<package>/ and are installed from there too, so `python -m servo_pkg.servo_node`
works in the venv; each also has its own package.xml for a colcon workspace on a system ROS 2.
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
LIBRARIES = [
    "vehicle",
    "runtime",
    "drivers",
    "calibration",
    "perception",
    "inference",
    "device_console",
    "usb_wifi_provisioner",
    "updates",
    "launcher",
    "recording",
    "sim",
    "cli",
]

packages = [p for p in find_packages(include=[f"{lib}*" for lib in LIBRARIES])]
package_dir = {}
for pkg_xml in sorted((HERE / "ros2_ws" / "src").glob("*/package.xml")):
    name = pkg_xml.parent.name
    module_dir = pkg_xml.parent / name
    if (module_dir / "__init__.py").is_file():
        for sub in find_packages(where=str(pkg_xml.parent), include=[name, f"{name}.*"]):
            packages.append(sub)
            package_dir[sub] = str((pkg_xml.parent / sub.replace(".", "/")).relative_to(HERE))

setup(
    name="deepracer-open-stack",
    version="0.1.0",
    description="Open on-vehicle software for DeepRacer-class 1/18-scale autonomous race cars",
    python_requires=">=3.10",
    packages=packages,
    package_dir=package_dir,
    include_package_data=True,
    package_data={"runtime": ["dds/*.xml"], "device_console": ["static/**/*", "templates/*"]},
    entry_points={
        "console_scripts": [
            "deepracer = cli.deepracer:main",
            "deepracer-ros2 = cli.ros2:main",
        ]
    },
)
