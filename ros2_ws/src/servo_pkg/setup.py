from setuptools import setup

package_name = "servo_pkg"

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
    description="Maps servo/ESC commands to calibrated PWM (sysfs or PCA9685), drives the tail light and the servo power GPIO, with a command watchdog and neutral-on-shutdown.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "servo_node = servo_pkg.servo_node:main",
        ]
    },
)
