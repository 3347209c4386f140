import pytest
from pyhocon import ConfigFactory

from sparkjobserver.api import (
    JobEnvironment,
    NamedObjects,
    SparkJob,
    ValidationProblem,
    build_problems,
    is_validation_problems,
)


def test_build_problems_makes_one_problem_per_message_in_order():
    problems = build_problems(["no input.strings", "no input.data"])

    assert [type(p) for p in problems] == [ValidationProblem, ValidationProblem]
    assert [p.problem for p in problems] == ["no input.strings", "no input.data"]


def test_build_problems_of_nothing_is_an_empty_list():
    assert build_problems([]) == []


def test_a_list_or_tuple_of_problems_refuses_the_job():
    assert is_validation_problems(build_problems(["missing"]))
    assert is_validation_problems(tuple(build_problems(["one", "two"])))


@pytest.mark.parametrize(
    "data",
    [
        ["'a'", "'b'"],  # a list of strings is job data, even when they read like problems
        [],
        (),
        None,
        "missing",
        {"problem": "missing"},
        ValidationProblem("a problem, but not in a list"),
        [ValidationProblem("mixed"), "data"],
        ["data", ValidationProblem("mixed")],
        (problem for problem in build_problems(["a generator is not a list"])),
    ],
)
def test_anything_else_is_job_data(data):
    assert not is_validation_problems(data)


def test_job_environment_keeps_the_original_attribute_names():
    config = ConfigFactory.parse_string("spark.context-settings.num-cpu-cores = 2")

    runtime = JobEnvironment("job-1", None, config)

    assert runtime.jobId == "job-1"
    assert runtime.namedObjects is None
    assert runtime.contextConfig.get("spark.context-settings.num-cpu-cores") == 2


def test_spark_job_must_be_given_validate_and_run_job():
    job = SparkJob()

    with pytest.raises(NotImplementedError):
        job.validate(None, None, ConfigFactory.parse_string(""))
    with pytest.raises(NotImplementedError):
        job.run_job(None, None, "data")


def test_spark_job_leaves_building_the_context_to_the_server():
    assert SparkJob().build_context(object(), object(), object()) is None


def test_a_subclass_with_both_methods_runs():
    class Echo(SparkJob):
        def validate(self, context, runtime, config):
            return config.get("input")

        def run_job(self, context, runtime, data):
            return {"echo": data}

    job = Echo()
    data = job.validate(None, None, ConfigFactory.parse_string("input = hello"))

    assert not is_validation_problems(data)
    assert job.run_job(None, JobEnvironment("job-2", None, None), data) == {"echo": "hello"}


def test_named_objects_is_an_interface_only():
    with pytest.raises(NotImplementedError):
        NamedObjects().get_names()


def test_hocon_keeps_single_quotes_as_part_of_unquoted_strings():
    # The reference's word count walk-through sends this; HOCON does not know single quotes as string
    # delimiters, so they stay in the values (and in the word counts).
    config = ConfigFactory.parse_string("input.strings = ['a', 'b', 'a', 'b']")

    assert config.get("input.strings") == ["'a'", "'b'", "'a'", "'b'"]
    assert config["input.strings"] == ["'a'", "'b'", "'a'", "'b'"]
    assert "input.strings" in config
    assert "input.data" not in config
