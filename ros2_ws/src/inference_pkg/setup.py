from setuptools import setup

package_name = "inference_pkg"

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
    description="Runs the loaded DeepRacer model with OpenVINO on every sensor message, newest frame first.",
    license="Apache-2.0",
    entry_points={"console_scripts": ["inference_node = inference_pkg.inference_node:main"]},
)
