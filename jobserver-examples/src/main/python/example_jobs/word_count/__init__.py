"""Word counts over the strings of ``input.strings``.

With ``input.strings = ['a', 'b', 'a', 'b']`` the result is ``{"'a'": 2, "'b'": 2}``: HOCON does not
take single quotes as string delimiters, so they are part of the words (as in the original).
"""
from sparkjobserver.api import SparkJob, build_problems


def _strings(config):
    strings = config.get("input.strings", None)
    if strings is None:
        return build_problems(["config input.strings not found"])
    return strings


class WordCountSparkSessionJob(SparkJob):
    """Counts words in a SparkSession context (PythonSessionContextFactory)."""

    def validate(self, context, runtime, config):
        return _strings(config)

    def run_job(self, context, runtime, data):
        return dict(context.sparkContext.parallelize(data).countByValue())


class WordCountSparkJob(SparkJob):
    """Counts words in a SparkContext context."""

    def validate(self, context, runtime, config):
        return _strings(config)

    def run_job(self, context, runtime, data):
        return dict(context.parallelize(data).countByValue())


class FailingSparkJob(SparkJob):
    """Validates as the word counts do, then fails in run_job."""

    def validate(self, context, runtime, config):
        return _strings(config)

    def run_job(self, context, runtime, data):
        raise ValueError("Deliberate failure")
