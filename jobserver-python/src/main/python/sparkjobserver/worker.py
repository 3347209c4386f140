"""
The Python side of a Python context: one process per context, started by the context's driver JVM
as ``<python.executable> -m sparkjobserver.worker``, which connects to the driver's Py4J gateway the
way PySpark's own shell does (``PYSPARK_GATEWAY_PORT`` and ``PYSPARK_GATEWAY_SECRET``), wraps the
driver's SparkContext (and SparkSession) once, and then runs the jobs the driver hands it, each on a
thread of its own, until the driver tells it to stop or goes away.

Every call from the driver (a JSON object: ``{id, kind, jobId, ...}``) is answered with one JSON
object whose ``outcome`` says what happened;
nothing a job does (raising, returning something odd, calling ``sys.exit``) ends the process.

Problems that keep the process from starting are printed on stderr as one line starting with
``sparkjobserver:``, which the driver quotes in the context's error, and the process exits with
``EXIT_UNAVAILABLE``.
"""

import importlib
import json
import logging
import os
import shutil
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

from sparkjobserver.named_objects import ContextNamedObjects

EXIT_UNAVAILABLE = 3

# The driver's thread for a job waits for its answer; jobs beyond this many at once wait for a thread.
MAX_THREADS = 256


# The job the current thread works for: its output lines are tagged with it (see JobLogTags in the driver).
_current = threading.local()


def _job_tag(job_id):
    return "[job %s] " % job_id


class JobTaggingStream:
    """``sys.stdout`` or ``sys.stderr`` of the worker: each line a thread working for a job starts gets the
    job's tag first, so that the driver log attributes it (prints, ``logging`` records, tracebacks)."""

    def __init__(self, stream):
        self._stream = stream
        self._lock = threading.Lock()
        self._at_start = threading.local()

    def write(self, text):
        job_id = getattr(_current, "job_id", None)
        if job_id is None or not text:
            if text:
                self._at_start.value = text.endswith("\n")
            return self._stream.write(text)
        tag = _job_tag(job_id)
        at_start = getattr(self._at_start, "value", True)
        parts = []
        for line in text.splitlines(True):
            if at_start:
                parts.append(tag)
            parts.append(line)
            at_start = line.endswith("\n")
        self._at_start.value = at_start
        with self._lock:
            self._stream.write("".join(parts))
            # a pipe is block-buffered: a job's lines reach the driver's log as they are written
            if "\n" in text:
                self._stream.flush()
        return len(text)

    def flush(self):
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _tag_output():
    """Tags the lines of jobs on stdout and stderr; ``logging`` goes to stderr at INFO unless a job sets it up."""
    if not isinstance(sys.stdout, JobTaggingStream):
        sys.stdout = JobTaggingStream(sys.stdout)
    if not isinstance(sys.stderr, JobTaggingStream):
        sys.stderr = JobTaggingStream(sys.stderr)
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()  # sys.stderr, the tagging one
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        logging.getLogger("py4j").setLevel(logging.WARNING)


def _unavailable(message):
    print("sparkjobserver: " + message, file=sys.stderr, flush=True)
    sys.exit(EXIT_UNAVAILABLE)


def _preflight():
    """What the worker needs, checked before anything connects, so that a missing part is named."""
    where = "%s (Python %s; PYTHONPATH=%s)" % (
        sys.executable, sys.version.split()[0], os.environ.get("PYTHONPATH", ""))
    for module, what in (("pyspark", "pyspark"), ("py4j", "py4j"), ("pyhocon", "pyhocon")):
        try:
            importlib.import_module(module)
        except ImportError as e:
            _unavailable("%s is not importable by %s: %s" % (what, where, e))
    import pyspark
    wanted = os.environ.get("JOBSERVER_SPARK_VERSION")
    if wanted and pyspark.__version__ != wanted:
        _unavailable(
            "pyspark %s (from %s) does not match Spark %s of the driver; install pyspark==%s "
            "or set python.paths to one that matches" % (
                pyspark.__version__, os.path.dirname(pyspark.__file__), wanted, wanted))


class Worker:
    """Runs the calls of one driver: load, validate, run and discard, keyed by job id."""

    def __init__(self, context, sc, context_config):
        """
        :param context: what jobs receive as their context (a SparkSession or the SparkContext)
        :param sc: the pyspark SparkContext behind it
        :param context_config: the context's settings, a pyhocon ConfigTree
        """
        self.context = context
        self.sc = sc
        self.context_config = context_config
        self._jobs = {}
        self._jobs_lock = threading.Lock()
        self._py_files = set()
        self._py_files_lock = threading.Lock()
        self.named_objects = ContextNamedObjects()

    @classmethod
    def connected(cls, endpoint, gateway):
        """A worker for the driver behind ``endpoint``, with PySpark wrapped around its Spark objects."""
        from pyhocon import ConfigFactory
        from pyspark import SparkConf, SparkContext
        from pyspark.sql import SparkSession

        jsc = endpoint.javaSparkContext()
        sc = SparkContext(gateway=gateway, jsc=jsc, conf=SparkConf(_jconf=jsc.getConf()))
        kind = endpoint.contextKind()
        if kind == "session":
            context = SparkSession(sc, endpoint.sparkSession())
        elif kind == "context":
            context = sc
        else:
            raise ValueError("unknown context kind %r" % kind)
        return cls(context, sc, ConfigFactory.from_dict(json.loads(endpoint.contextConfig())))

    # ------------------------------------------------------------------ calls

    def handle(self, call):
        """The answer to one call (a dict: ``{id, kind, jobId, ...}``); never raises."""
        kind = call.get("kind")
        job_id = call.get("jobId")
        _current.job_id = job_id
        try:
            if kind == "load":
                return self._load(job_id, call["classPath"], call.get("pyFiles", []))
            if kind == "validate":
                return self._validate(job_id, call["jobConfig"])
            if kind == "run":
                return self._run(job_id)
            if kind == "discard":
                with self._jobs_lock:
                    self._jobs.pop(job_id, None)
                return {"outcome": "discarded"}
            return {"outcome": "error", "error": _error_info(ValueError("unknown call %r" % kind))}
        except BaseException as e:  # noqa: B902 - sys.exit in a job ends the job, not the context
            return {"outcome": "error", "error": _error_info(e)}
        finally:
            _current.job_id = None

    def _load(self, job_id, class_path, py_files):
        for path in py_files:
            self._add_py_file(path)
        module_name, _, class_name = class_path.rpartition(".")
        if not module_name or not class_name:
            return {"outcome": "not_found", "message": "classPath %s not found" % class_path}
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name is not None and (module_name == e.name or module_name.startswith(e.name + ".")):
                return {"outcome": "not_found", "message": "classPath %s not found" % class_path}
            return _load_failed(class_path, e)
        except BaseException as e:  # noqa: B902 - whatever the module's own code raises on import
            return _load_failed(class_path, e)
        job_class = getattr(module, class_name, None)
        if job_class is None:
            return {"outcome": "not_found", "message": "classPath %s not found" % class_path}
        try:
            job = job_class()
        except BaseException as e:  # noqa: B902
            return _load_failed(class_path, e)
        for method in ("validate", "run_job"):
            if not callable(getattr(job, method, None)):
                return {
                    "outcome": "load_failed",
                    "error": {
                        "message": "%s is not a Python job: it has no %s method" % (class_path, method),
                        "errorClass": "TypeError",
                        "stack": "",
                    },
                }
        with self._jobs_lock:
            self._jobs[job_id] = _Job(job)
        return {"outcome": "loaded"}

    def _validate(self, job_id, config_json):
        from pyhocon import ConfigFactory
        from sparkjobserver.api import JobEnvironment, is_validation_problems

        entry = self._job(job_id)
        config = ConfigFactory.from_dict(json.loads(config_json))
        runtime = JobEnvironment(job_id, self.named_objects, self.context_config)
        with _JobGroup(self.sc, job_id):
            try:
                data = entry.job.validate(self.context, runtime, config)
            except BaseException as e:  # noqa: B902
                with self._jobs_lock:
                    self._jobs.pop(job_id, None)
                return {"outcome": "error", "error": _error_info(e)}
        if is_validation_problems(data):
            with self._jobs_lock:
                self._jobs.pop(job_id, None)
            return {"outcome": "invalid", "problems": [str(p.problem) for p in data]}
        entry.data = data
        return {"outcome": "valid"}

    def _run(self, job_id):
        from sparkjobserver.api import JobEnvironment
        from sparkjobserver.results import to_json

        with self._jobs_lock:
            entry = self._jobs.pop(job_id, None)
        if entry is None:
            raise LookupError("job %s was not validated in this process" % job_id)
        runtime = JobEnvironment(job_id, self.named_objects, self.context_config)
        with _JobGroup(self.sc, job_id):
            try:
                result = entry.job.run_job(self.context, runtime, entry.data)
            except BaseException as e:  # noqa: B902
                return {"outcome": "error", "error": _error_info(e)}
        # A dict would be turned back into text by the caller; the result's JSON goes in as it is.
        return _RawResult(to_json(result))

    def _job(self, job_id):
        with self._jobs_lock:
            entry = self._jobs.get(job_id)
        if entry is None:
            raise LookupError("job %s was not loaded in this process" % job_id)
        return entry

    def _add_py_file(self, path):
        """Once per file: importable here (sys.path) and on the executors (SparkContext.addPyFile)."""
        with self._py_files_lock:
            if path in self._py_files:
                return
            shipped = path
            if path.lower().endswith(".whl"):
                # Spark ships any file, but puts only .zip, .egg and .jar on the executors' path; a
                # wheel of pure Python is a zip archive.
                shipped = path + ".zip"
                if not os.path.exists(shipped):
                    shutil.copyfile(path, shipped)
            self.sc.addPyFile(shipped)
            if shipped not in sys.path:
                sys.path.insert(0, shipped)
            importlib.invalidate_caches()
            self._py_files.add(path)


class _Job:
    __slots__ = ("job", "data")

    def __init__(self, job):
        self.job = job
        self.data = None


class _JobGroup:
    """The job's Spark jobs in the group named after it, so that killing the job cancels them.

    The group is a property of the JVM thread this Python thread is pinned to; it is not cleared
    afterwards (a Py4J round trip per call): the next call on the thread sets its own first.
    """

    def __init__(self, sc, job_id):
        self._sc = sc
        self._job_id = job_id

    def __enter__(self):
        self._sc.setJobGroup(self._job_id, "jobserver job " + self._job_id, interruptOnCancel=True)

    def __exit__(self, *exc):
        return False


class _RawResult:
    """A run's answer whose value is JSON text already."""

    def __init__(self, value_json):
        self.value_json = value_json

    def answer(self):
        return '{"outcome":"result","value":' + self.value_json + "}"


def _error_info(e):
    kind = type(e)
    name = kind.__qualname__ if kind.__module__ in ("builtins", "__main__") else \
        kind.__module__ + "." + kind.__qualname__
    message = str(e)
    return {
        "message": message if message else name,
        "errorClass": name,
        "stack": "".join(traceback.format_exception(kind, e, e.__traceback__)),
    }


def _load_failed(class_path, e):
    error = _error_info(e)
    error["message"] = "Failed to load job class %s: %s" % (class_path, error["message"])
    return {"outcome": "load_failed", "error": error}


def _answer(outcome):
    if isinstance(outcome, _RawResult):
        return outcome.answer()
    return json.dumps(outcome)


def _serve(endpoint, worker):
    pool = ThreadPoolExecutor(max_workers=MAX_THREADS, thread_name_prefix="jobserver-python")

    def execute(call):
        try:
            answer = _answer(worker.handle(call))
        except BaseException as e:  # noqa: B902 - e.g. a result that cannot be rendered
            answer = json.dumps({"outcome": "error", "error": _error_info(e)})
        endpoint.answer(call["id"], answer)

    while True:
        raw = endpoint.take(1000)
        if raw is None:
            continue
        call = json.loads(raw)
        if call.get("kind") == "stop":
            return
        pool.submit(execute, call)


def main():
    _preflight()
    _tag_output()
    from pyspark.java_gateway import launch_gateway

    gateway = launch_gateway()
    endpoint = gateway.entry_point
    try:
        worker = Worker.connected(endpoint, gateway)
    except BaseException as e:  # noqa: B902
        endpoint.startFailed(
            "the Python side of the context could not be set up: %s\n%s" % (e, traceback.format_exc()))
        sys.stderr.flush()
        os._exit(EXIT_UNAVAILABLE)
    import pyspark

    endpoint.ready("Python %s (%s), pyspark %s" % (sys.version.split()[0], sys.executable, pyspark.__version__))
    try:
        _serve(endpoint, worker)
    except Exception as e:  # noqa: BLE001 - the driver went away: nothing is left to serve
        print("sparkjobserver: the connection to the driver ended: %s" % e, file=sys.stderr, flush=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # Not sys.exit: Py4J's threads and jobs still running must not keep the process alive.
    os._exit(0)


if __name__ == "__main__":
    main()
