"""A job that writes to the driver's log, for the log routes: it prints and logs its ``marker``."""
import logging

LOG = logging.getLogger("example_jobs.logging_job")


class LoggingJob:
    """Prints ``printed <marker>``, logs ``logged <marker>`` and ``failed <marker>`` with a traceback."""

    def validate(self, context, runtime, config):
        return config.get("marker")

    def run_job(self, context, runtime, data):
        print("printed %s" % data)
        LOG.info("logged %s", data)
        try:
            raise ValueError("deliberate %s" % data)
        except ValueError:
            LOG.exception("failed %s", data)
        return data
