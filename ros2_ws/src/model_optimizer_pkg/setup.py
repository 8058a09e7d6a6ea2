from setuptools import setup

package_name = "model_optimizer_pkg"

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
    description="Builds and validates the cached OpenVINO IR of a DeepRacer model (model_optimizer_server).",
    license="Apache-2.0",
    entry_points={"console_scripts": ["model_optimizer_node = model_optimizer_pkg.model_optimizer_node:main"]},
)
