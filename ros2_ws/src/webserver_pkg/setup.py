from setuptools import setup

package_name = "webserver_pkg"

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
    description="Device console web server and its ROS 2 bridge node",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "webserver_publisher_node = webserver_pkg.webserver_publisher_node:main",
        ],
    },
)
