"""Jobs that fail on purpose, in run_job or in validate."""
from sparkjobserver.api import SparkJob


class FailingRunJob(SparkJob):
    """Accepts any configuration, then raises in run_job."""

    def validate(self, context, runtime, config):
        return "fine"

    def run_job(self, context, runtime, data):
        raise Exception("Deliberate failure")


class FailingValidateJob(SparkJob):
    """Raises in validate: run_job is never reached."""

    def validate(self, context, runtime, config):
        raise Exception("Deliberate failure")

    def run_job(self, context, runtime, data):
        return "unreachable"
