"""Package discovery, which setuptools' pyproject.toml tables cannot express for a renamed package:
everything under analyzer/ (every subpackage, found, never a hand-kept list) installs as `xborder`,
since `analyzer` is a name many projects use for their own code; the rules (rules/) and their
JSON Schemas (schemas/) install inside it as data. An editable install maps the names the same way."""

from setuptools import find_packages, setup

setup(
    packages=["xborder", *(f"xborder.{name}" for name in find_packages("analyzer")), "xborder.rules", "xborder.schemas"],
    package_dir={"xborder": "analyzer", "xborder.rules": "rules", "xborder.schemas": "schemas"},
    package_data={"xborder.rules": ["*.toml", "*/*.toml", "*/*/*.toml"], "xborder.schemas": ["*.json", "*/*.json", "*.passed"]},
    include_package_data=False,
)
