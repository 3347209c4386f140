"""Builds the sparkjobserver wheel. The version comes from the Maven build (JOBSERVER_VERSION, PEP 440)."""
import os

from setuptools import find_packages, setup

version = os.environ.get("JOBSERVER_VERSION")
if not version:
    raise SystemExit("JOBSERVER_VERSION is not set: build with Maven (mvn package in jobserver-python)")

setup(
    name="sparkjobserver",
    version=version,
    description="The Python job API of the Spark Job Server, and what runs Python jobs in a context",
    packages=find_packages(include=["sparkjobserver", "sparkjobserver.*"]),
    python_requires=">=3.10",
    # pyspark comes with the context (the Spark the driver runs), so it is not a requirement here.
    install_requires=["py4j", "pyhocon"],
)
