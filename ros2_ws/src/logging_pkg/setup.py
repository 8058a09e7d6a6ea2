from setuptools import setup

package_name = "logging_pkg"

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
    description="Drive recording: rosbag2 bags of the inference results and device status; stop_logging.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "bag_log_node = logging_pkg.bag_log_node:main",
        ]
    },
)
