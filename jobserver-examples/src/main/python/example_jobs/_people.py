"""The rows both DataFrame examples read: ``input.data``, a list of [name, age, salary]."""
from sparkjobserver.api import build_problems

SCHEMA = "name string, age int, salary double"


def rows(config):
    """The rows of ``input.data`` as job data, or the validation problem when it is missing."""
    data = config.get("input.data", None)
    if data is None:
        return build_problems(["config input.data not found"])
    return data


def frame(spark, data):
    """A DataFrame (name, age, salary) of the rows; numbers may come from HOCON as ints or strings."""
    typed = [(str(name), int(age), float(salary)) for name, age, salary in data]
    return spark.createDataFrame(typed, SCHEMA)
