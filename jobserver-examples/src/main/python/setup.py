"""Builds the Python example jobs as an egg and a wheel (mvn package in jobserver-examples)."""
from setuptools import find_packages, setup

setup(
    name="sjs_python_examples",
    version="0.1.0",
    description="Example Python jobs for the Spark Job Server, under the original project's names",
    packages=find_packages(include=["example_jobs", "example_jobs.*"]),
    python_requires=">=3.10",
    # Run from the egg or wheel as a zip file on sys.path (Spark's addPyFile, zipimport).
    zip_safe=True,
    # sparkjobserver and pyspark come with the context the jobs run in.
    install_requires=[],
)
