from setuptools import setup

package_name = "i2c_pkg"

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
    description="Compute battery level from the fuel gauge on I2C (0x3F), or the simulated gauge.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "battery_node = i2c_pkg.battery_node:main",
        ]
    },
)
