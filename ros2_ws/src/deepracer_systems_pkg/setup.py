from setuptools import setup

package_name = "deepracer_systems_pkg"

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
    description="Network monitor, model loader, software update and OTG nodes of the car.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "network_monitor_node = deepracer_systems_pkg.network_monitor_node:main",
            "model_loader_node = deepracer_systems_pkg.model_loader_node:main",
            "software_update_node = deepracer_systems_pkg.software_update_node:main",
            "otg_control_node = deepracer_systems_pkg.otg_control_node:main",
        ]
    },
)
