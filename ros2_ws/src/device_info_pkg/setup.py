from setuptools import setup

package_name = "device_info_pkg"

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
    description="Hardware and software version of the car, and the device status: CPU load and temperature, memory, disk, command latency and rate.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "device_info_node = device_info_pkg.device_info_node:main",
            "device_status_node = device_info_pkg.device_status_node:main",
        ]
    },
)
