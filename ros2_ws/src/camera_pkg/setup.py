from setuptools import setup

package_name = "camera_pkg"

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
    description="Publishes USB (V4L2), file or simulated camera frames as CameraMsg for inference and as display images (raw and JPEG) for the console.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "camera_node = camera_pkg.camera_node:main",
        ]
    },
)
