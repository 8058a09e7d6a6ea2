from setuptools import setup

package_name = "rplidar_ros"

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
    description="RPLidar driver node (rplidarNode) publishing sensor_msgs/LaserScan on /rplidar_ros/scan; optional hardware with hot-plug.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "rplidarNode = rplidar_ros.rplidar_node:main",
            "rplidar_node = rplidar_ros.rplidar_node:main",
        ]
    },
)
