from setuptools import setup

package_name = "status_led_pkg"

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
    description="Solid and blinking effects on the three system status LEDs (sysfs GPIO).",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "status_led_node = status_led_pkg.status_led_node:main",
        ]
    },
)
