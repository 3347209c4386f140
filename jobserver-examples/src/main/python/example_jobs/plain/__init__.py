"""A job that does not subclass sparkjobserver.api.SparkJob: the two methods are all a job needs."""


class PlainJob:
    """Returns ``{"input": <the input setting>}``; ``input`` may be missing (then null)."""

    def validate(self, context, runtime, config):
        return config.get("input", None)

    def run_job(self, context, runtime, data):
        return {"input": data}
