"""What a Python job is written against, with the names of spark-jobserver's Python API.

A job is any class with a zero-argument constructor and the two methods of SparkJob, ``validate`` and
``run_job``: subclassing SparkJob documents the contract but is not required.

    from sparkjobserver.api import SparkJob, build_problems

    class WordCount(SparkJob):
        def validate(self, context, runtime, config):
            if 'input.strings' in config:
                return config.get('input.strings')
            return build_problems(['config input.strings not found'])

        def run_job(self, context, runtime, data):
            return dict(context.sparkContext.parallelize(data).countByValue())
"""

__all__ = [
    "JobEnvironment",
    "NamedObject",
    "NamedObjects",
    "SparkJob",
    "ValidationProblem",
    "build_problems",
    "is_validation_problems",
]


class JobEnvironment:
    """What a job learns about where it runs, passed to ``run_job`` as ``runtime``.

    The attribute names are the original's (camel case), so jobs written for it keep working:
    ``jobId`` (str), ``namedObjects`` (None when the context offers none) and ``contextConfig``
    (the context's settings as a pyhocon ConfigTree).
    """

    def __init__(self, job_id, named_objects, context_config):
        self.jobId = job_id
        self.namedObjects = named_objects
        self.contextConfig = context_config

    def __repr__(self):
        return "JobEnvironment(jobId=%r)" % (self.jobId,)


class ValidationProblem:
    """One reason why ``validate`` refuses a job request; ``problem`` says what is wrong."""

    def __init__(self, problem):
        self.problem = problem

    def __repr__(self):
        return "ValidationProblem(%r)" % (self.problem,)


def build_problems(problems):
    """Turns messages into a list of ValidationProblem, the value ``validate`` returns to refuse a job.

    Returning the messages themselves would not do: a list of strings is valid job data.
    """
    return [ValidationProblem(problem) for problem in problems]


def is_validation_problems(value):
    """True when ``value`` (what ``validate`` returned) refuses the job rather than being its data.

    That is a non-empty list or tuple of ValidationProblem and nothing else; an empty list, or a list
    mixing problems with other values, is job data.
    """
    return (
        isinstance(value, (list, tuple))
        and len(value) > 0
        and all(isinstance(item, ValidationProblem) for item in value)
    )


class SparkJob:
    """The contract of a Python job. Subclass it, or write any class with the same two methods.

    The server makes one instance per job run with the zero-argument constructor, calls ``validate``,
    and, unless that refused the request, ``run_job`` with what ``validate`` returned.
    """

    def __init__(self):
        pass

    def validate(self, context, runtime, config):
        """Checks the job's configuration and turns it into the data ``run_job`` works on.

        :param context: the context's Spark entry point, shared by the jobs of the context: a pyspark
            SparkSession for PythonSessionContextFactory
        :param runtime: the JobEnvironment of the run (the original passed None here; do not rely on it)
        :param config: the job's configuration (the request's HOCON merged with the server's) as a
            pyhocon ConfigTree, read with ``config.get('input.strings')`` and the like
        :return: the job data, or a list of ValidationProblem (see build_problems) to refuse the job
        """
        raise NotImplementedError("a job implements validate(context, runtime, config)")

    def run_job(self, context, runtime, data):
        """Does the job's work and returns its result.

        :param context: the same context ``validate`` was given
        :param runtime: the JobEnvironment of the run
        :param data: what ``validate`` returned
        :return: the result, which the server renders as JSON: None, a bool, a number, a string, or
            lists, tuples and dicts of those
        """
        raise NotImplementedError("a job implements run_job(context, runtime, data)")

    def build_context(self, gateway, jvmContext, sparkConf):
        """Makes the Python context for a context type the server does not know how to wrap.

        Only jobs for custom context factories need this; the server wraps SparkSession and
        SparkContext itself.

        :param gateway: the Py4J JavaGateway connected to the driver JVM
        :param jvmContext: the JVM-side context object, to wrap in its Python counterpart
        :param sparkConf: the context's pyspark SparkConf
        :return: the Python context, or None to leave it to the server
        """
        return None


class NamedObject:
    """An object shared by name between the jobs of one context, and how it is kept.

    ``forceComputation`` and ``storage_level`` keep the original's spelling.
    """

    def __init__(self, obj, forceComputation, storage_level):
        self.obj = obj
        self.forceComputation = forceComputation
        self.storage_level = storage_level


class NamedObjects:
    """The interface of named objects as the original sketched it for Python.

    The original offered no implementation (its Python jobs got ``runtime.namedObjects`` None); the
    methods are here so that code written against the names still imports.
    """

    def get(self, name):
        """The NamedObject of that name, or None."""
        raise NotImplementedError("named objects implement get(name)")

    def get_or_else_create(self, name, obj_gen):
        """The NamedObject of that name; when there is none, ``obj_gen()`` makes it, once."""
        raise NotImplementedError("named objects implement get_or_else_create(name, obj_gen)")

    def update(self, name, obj_gen):
        """Replaces the object of that name with what ``obj_gen()`` makes, and returns it."""
        raise NotImplementedError("named objects implement update(name, obj_gen)")

    def forget(self, name):
        """Drops the name; the object itself is left as it is (not unpersisted)."""
        raise NotImplementedError("named objects implement forget(name)")

    def destroy(self, name):
        """Drops the name and unpersists its object."""
        raise NotImplementedError("named objects implement destroy(name)")

    def get_names(self):
        """The names known at the time of the call."""
        raise NotImplementedError("named objects implement get_names()")
