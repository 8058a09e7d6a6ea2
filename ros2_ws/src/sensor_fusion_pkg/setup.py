from setuptools import setup

package_name = "sensor_fusion_pkg"

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
    description="Combines camera images and processed LiDAR data into EvoSensorMsg, renders the LiDAR overlay and reports sensor status.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "sensor_fusion_node = sensor_fusion_pkg.sensor_fusion_node:main",
        ]
    },
)
