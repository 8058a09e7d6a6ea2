from setuptools import setup

package_name = "ctrl_pkg"

setup(
    name=package_name,
    version="2.0.0",
    packages=[package_name],
    data_files=[
        ("share/ament_index/resource_index/packages", ["resource/" + package_name]),
        ("share/" + package_name, ["package.xml", "README.md"]),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    maintainer="DeepRacer open stack maintainers",
    maintainer_email="maintainers@example.com",
    description="Vehicle state machine (manual, autonomous, calibration): forwards drive commands, gates calibration and LED access, loads models through the optimizer, inference and navigation services, latched emergency stop.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "ctrl_node = ctrl_pkg.ctrl_node:main",
        ]
    },
)
