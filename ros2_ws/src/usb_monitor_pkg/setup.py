from setuptools import setup

package_name = "usb_monitor_pkg"

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
    description="USB drive monitor services and notifications (original API), backed by the USB provisioner.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "usb_monitor_node = usb_monitor_pkg.usb_monitor_node:main",
        ]
    },
)
