"""Ranks people by salary within their age, with a window function (SparkSession context)."""
from pyspark.sql import Window
from pyspark.sql import functions as F

from example_jobs import _people
from sparkjobserver.api import SparkJob


class SessionWindowJob(SparkJob):
    """Returns [name, age, rank] for each row of ``input.data``; rank 1 is the highest salary of an age."""

    def validate(self, context, runtime, config):
        return _people.rows(config)

    def run_job(self, context, runtime, data):
        people = _people.frame(context, data)
        by_salary = Window.partitionBy("age").orderBy(F.col("salary").desc())
        ranked = people.withColumn("rank", F.rank().over(by_salary)).orderBy("age", "rank", "name")
        return [[row["name"], row["age"], row["rank"]] for row in ranked.collect()]
