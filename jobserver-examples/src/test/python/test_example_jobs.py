"""What the example jobs decide without Spark: validation, failures, the base-class-free job.

Their Spark work runs end to end in jobserver-it, in real contexts.
"""
import pytest
from pyhocon import ConfigFactory

from example_jobs.failing_job import FailingRunJob, FailingValidateJob
from example_jobs.plain import PlainJob
from example_jobs.session_window import SessionWindowJob
from example_jobs.sql_average import SqlAverageJob
from example_jobs.word_count import FailingSparkJob, WordCountSparkJob, WordCountSparkSessionJob
from sparkjobserver.api import SparkJob, is_validation_problems

WORD_COUNTS = [WordCountSparkSessionJob, WordCountSparkJob, FailingSparkJob]
PEOPLE = [SessionWindowJob, SqlAverageJob]


def config(text):
    return ConfigFactory.parse_string(text)


@pytest.mark.parametrize("job_class", WORD_COUNTS)
def test_word_counts_take_input_strings_quotes_included(job_class):
    data = job_class().validate(None, None, config("input.strings = ['a', 'b', 'a', 'b']"))

    assert data == ["'a'", "'b'", "'a'", "'b'"]
    assert not is_validation_problems(data)


@pytest.mark.parametrize("job_class", WORD_COUNTS)
def test_word_counts_refuse_a_config_without_input_strings(job_class):
    problems = job_class().validate(None, None, config("input.string = a b c"))

    assert is_validation_problems(problems)
    assert [p.problem for p in problems] == ["config input.strings not found"]


@pytest.mark.parametrize("job_class", PEOPLE)
def test_people_jobs_take_input_data(job_class):
    data = job_class().validate(None, None, config('input.data = [["bob", 20, 1200], ["jon", 21, 1400]]'))

    assert data == [["bob", 20, 1200], ["jon", 21, 1400]]


@pytest.mark.parametrize("job_class", PEOPLE)
def test_people_jobs_refuse_a_config_without_input_data(job_class):
    problems = job_class().validate(None, None, config("input.strings = [a]"))

    assert [p.problem for p in problems] == ["config input.data not found"]


def test_failing_spark_job_raises_a_value_error_in_run_job():
    with pytest.raises(ValueError, match="^Deliberate failure$"):
        FailingSparkJob().run_job(None, None, ["a"])


def test_failing_run_job_validates_then_raises():
    job = FailingRunJob()

    assert job.validate(None, None, config("")) == "fine"
    with pytest.raises(Exception, match="^Deliberate failure$"):
        job.run_job(None, None, "fine")


def test_failing_validate_job_raises_in_validate():
    with pytest.raises(Exception, match="^Deliberate failure$"):
        FailingValidateJob().validate(None, None, config(""))


def test_plain_job_is_no_spark_job_and_echoes_its_input():
    job = PlainJob()
    data = job.validate(None, None, config("input = 42"))

    assert not isinstance(job, SparkJob)
    assert job.run_job(None, None, data) == {"input": 42}
    assert job.run_job(None, None, job.validate(None, None, config(""))) == {"input": None}
