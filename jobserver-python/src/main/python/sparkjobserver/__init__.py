"""The Python side of the Spark Job Server: the job API (sparkjobserver.api) and what runs jobs."""
