"""Average salary per age, in SQL over a temporary view (SparkSession context)."""
import uuid

from example_jobs import _people
from sparkjobserver.api import SparkJob


class SqlAverageJob(SparkJob):
    """Returns ``[{"age": .., "average_salary": ..}, ...]`` by age for the rows of ``input.data``."""

    def validate(self, context, runtime, config):
        return _people.rows(config)

    def run_job(self, context, runtime, data):
        # Jobs of one context share its session: a fixed view name would let concurrent runs collide.
        view = "people_" + uuid.uuid4().hex
        _people.frame(context, data).createOrReplaceTempView(view)
        try:
            averages = context.sql(
                "SELECT age, AVG(salary) AS average_salary FROM %s GROUP BY age ORDER BY age" % view
            ).collect()
        finally:
            context.catalog.dropTempView(view)
        return [{"age": row["age"], "average_salary": row["average_salary"]} for row in averages]
