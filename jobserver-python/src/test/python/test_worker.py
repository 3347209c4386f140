"""
The worker's handling of the driver's calls (sparkjobserver.worker): loading jobs from eggs, validation
outcomes, results and errors, as the JSON answers the driver reads. Spark itself is not involved here:
the jobs below do not use it, and the SparkContext stands in only for the calls the worker makes on
its own (job groups, addPyFile); the end-to-end tests (PythonJobsIT) run the real thing.
"""

import json
import sys
import zipfile

import pytest
from pyhocon import ConfigFactory

from sparkjobserver import worker as worker_module
from sparkjobserver.worker import JobTaggingStream, Worker, _answer

JOBS = '''
from sparkjobserver.api import SparkJob, build_problems

class Echo(SparkJob):
    def validate(self, context, runtime, config):
        if 'input.strings' not in config:
            return build_problems(['config input.strings not found', 'and another'])
        return {'strings': config.get('input.strings'), 'job': runtime.jobId}

    def run_job(self, context, runtime, data):
        return {'data': data, 'context': context, 'setting': runtime.contextConfig.get('answer')}

class Plain:
    def validate(self, context, runtime, config):
        return 1

    def run_job(self, context, runtime, data):
        raise ValueError('Deliberate failure')

class NotAJob:
    def validate(self, context, runtime, config):
        return 1

class BadInit:
    def __init__(self):
        raise RuntimeError('no')

class Talks:
    def validate(self, context, runtime, config):
        print("validating")
        return 1

    def run_job(self, context, runtime, data):
        import logging
        print("two\\nlines")
        logging.getLogger("talks").warning("a warning")
        return 1

class Exits:
    def validate(self, context, runtime, config):
        return 1

    def run_job(self, context, runtime, data):
        raise SystemExit(2)
'''


def call(kind, job_id, class_path=None, job_config=None, py_files=None):
    """A call as the driver hands it over (PythonCall.toJson)."""
    value = {"id": 1, "kind": kind, "jobId": job_id}
    if class_path is not None:
        value["classPath"] = class_path
    if job_config is not None:
        value["jobConfig"] = job_config
    if py_files is not None:
        value["pyFiles"] = list(py_files)
    return json.loads(json.dumps(value))


class SparkContextCalls:
    """Records what the worker asks of the SparkContext itself."""

    def __init__(self):
        self.log = []

    def setJobGroup(self, group, description, interruptOnCancel=False):
        self.log.append(("setJobGroup", group, interruptOnCancel))

    def addPyFile(self, path):
        self.log.append(("addPyFile", path))


@pytest.fixture
def egg(tmp_path):
    path = tmp_path / "jobs.egg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("worker_test_jobs/__init__.py", JOBS)
    yield str(path)
    sys.modules.pop("worker_test_jobs", None)
    if str(path) in sys.path:
        sys.path.remove(str(path))


@pytest.fixture
def sc():
    return SparkContextCalls()


@pytest.fixture
def worker(sc):
    return Worker("the context", sc, ConfigFactory.from_dict({"answer": 42}))


def ask(worker, *args, **kwargs):
    return json.loads(_answer(worker.handle(call(*args, **kwargs))))


def test_a_job_is_loaded_validated_and_run(worker, sc, egg):
    assert ask(worker, "load", "j1", "worker_test_jobs.Echo", py_files=[egg]) == {"outcome": "loaded"}
    assert ("addPyFile", egg) in sc.log
    config = json.dumps({"input": {"strings": ["'a'", "b"]}})
    assert ask(worker, "validate", "j1", job_config=config) == {"outcome": "valid"}
    answer = ask(worker, "run", "j1")
    assert answer == {
        "outcome": "result",
        "value": {
            "data": {"strings": ["'a'", "b"], "job": "j1"},
            "context": "the context",
            "setting": 42,
        },
    }
    # validate and run each ran in the job's group
    assert sc.log.count(("setJobGroup", "j1", True)) == 2
    # a run forgets the job
    assert ask(worker, "run", "j1")["outcome"] == "error"


def test_an_egg_is_added_once(worker, sc, egg):
    ask(worker, "load", "j1", "worker_test_jobs.Echo", py_files=[egg])
    ask(worker, "load", "j2", "worker_test_jobs.Echo", py_files=[egg])
    assert sc.log.count(("addPyFile", egg)) == 1


def test_a_wheel_is_shipped_as_a_zip_spark_puts_on_the_executors_path(worker, sc, egg, tmp_path):
    wheel = tmp_path / "jobs-1.0-py3-none-any.whl"
    wheel.write_bytes(open(egg, "rb").read())
    assert ask(worker, "load", "j1", "worker_test_jobs.Plain", py_files=[str(wheel)])["outcome"] == "loaded"
    assert ("addPyFile", str(wheel) + ".zip") in sc.log
    sys.path.remove(str(wheel) + ".zip")


def test_validation_problems_refuse_the_job(worker, egg):
    ask(worker, "load", "j1", "worker_test_jobs.Echo", py_files=[egg])
    answer = ask(worker, "validate", "j1", job_config="{}")
    assert answer == {"outcome": "invalid", "problems": ["config input.strings not found", "and another"]}


def test_a_job_that_raises_answers_its_type_message_and_traceback(worker, egg):
    ask(worker, "load", "j1", "worker_test_jobs.Plain", py_files=[egg])
    assert ask(worker, "validate", "j1", job_config="{}") == {"outcome": "valid"}
    error = ask(worker, "run", "j1")["error"]
    assert error["message"] == "Deliberate failure"
    assert error["errorClass"] == "ValueError"
    assert error["stack"].startswith("Traceback (most recent call last):")
    assert "worker_test_jobs/__init__.py" in error["stack"]


def test_sys_exit_in_a_job_ends_the_job_only(worker, egg):
    ask(worker, "load", "j1", "worker_test_jobs.Exits", py_files=[egg])
    ask(worker, "validate", "j1", job_config="{}")
    assert ask(worker, "run", "j1")["error"]["errorClass"] == "SystemExit"


@pytest.mark.parametrize("class_path", ["worker_test_jobs.Missing", "no_such_module.Job", "NoModule"])
def test_an_unknown_module_or_class_is_not_found(worker, egg, class_path):
    assert ask(worker, "load", "j1", class_path, py_files=[egg]) == {
        "outcome": "not_found",
        "message": "classPath %s not found" % class_path,
    }


def test_a_class_that_is_not_a_job_or_cannot_be_made_fails_to_load(worker, egg):
    not_a_job = ask(worker, "load", "j1", "worker_test_jobs.NotAJob", py_files=[egg])
    assert not_a_job["outcome"] == "load_failed"
    assert not_a_job["error"]["message"] == "worker_test_jobs.NotAJob is not a Python job: it has no run_job method"
    bad_init = ask(worker, "load", "j2", "worker_test_jobs.BadInit", py_files=[egg])
    assert bad_init["outcome"] == "load_failed"
    assert bad_init["error"]["message"] == "Failed to load job class worker_test_jobs.BadInit: no"
    assert bad_init["error"]["errorClass"] == "RuntimeError"


def test_a_discarded_job_is_forgotten(worker, egg):
    ask(worker, "load", "j1", "worker_test_jobs.Echo", py_files=[egg])
    assert ask(worker, "discard", "j1") == {"outcome": "discarded"}
    assert ask(worker, "validate", "j1", job_config="{}")["outcome"] == "error"


def test_each_line_a_job_prints_starts_with_its_tag():
    import io

    raw = io.StringIO()
    stream = JobTaggingStream(raw)
    stream.write("before\n")
    worker_module._current.job_id = "j1"
    try:
        stream.write("one\ntwo")
        stream.write(" still two\nthree\n")
    finally:
        worker_module._current.job_id = None
    stream.write("after\n")
    assert raw.getvalue() == "before\n[job j1] one\n[job j1] two still two\n[job j1] three\nafter\n"


def test_a_job_call_tags_its_prints_and_log_records(worker, egg, monkeypatch):
    import io
    import logging

    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", JobTaggingStream(out))
    handler = logging.StreamHandler(JobTaggingStream(out))
    logging.getLogger("talks").addHandler(handler)
    try:
        ask(worker, "load", "j7", "worker_test_jobs.Talks", py_files=[egg])
        assert ask(worker, "validate", "j7", job_config="{}") == {"outcome": "valid"}
        assert ask(worker, "run", "j7")["outcome"] == "result"
        print("not a job's")
    finally:
        logging.getLogger("talks").removeHandler(handler)
    assert out.getvalue() == (
        "[job j7] validating\n[job j7] two\n[job j7] lines\n[job j7] a warning\nnot a job's\n")
