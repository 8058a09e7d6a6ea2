from setuptools import setup

package_name = "deepracer_navigation_pkg"

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
    description="Maps model outputs to steering angle and throttle with the model's action space.",
    license="Apache-2.0",
    entry_points={"console_scripts": ["deepracer_navigation_node = deepracer_navigation_pkg.deepracer_navigation_node:main"]},
)
