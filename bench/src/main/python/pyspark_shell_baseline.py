"""
The baseline of the warm Python job: the same word count run in a pyspark shell of its own, i.e. a
SparkSession that pyspark starts the usual way (spark-submit pyspark-shell through SPARK_HOME), with
no job server in between. Prints one JSON line: p50/p99 in ms and the shell process's start time.

    python3 pyspark_shell_baseline.py <warm-up runs> <measured runs>
"""

import json
import sys
import time

DATA = ["a", "b", "a", "b"]


def word_count(spark):
    # the body of example_jobs.word_count.WordCountSparkSessionJob.run_job
    return dict(spark.sparkContext.parallelize(DATA).countByValue())


def main():
    warmup, samples = int(sys.argv[1]), int(sys.argv[2])
    started = time.perf_counter()
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
    ready = time.perf_counter() - started
    for _ in range(warmup):
        word_count(spark)
    nanos = []
    for _ in range(samples):
        t = time.perf_counter_ns()
        result = word_count(spark)
        nanos.append(time.perf_counter_ns() - t)
    assert result == {"a": 2, "b": 2}, result
    nanos.sort()
    print(json.dumps({
        "p50_ms": nanos[len(nanos) // 2] / 1e6,
        "p99_ms": nanos[max(0, -(-len(nanos) * 99 // 100) - 1)] / 1e6,
        "start_s": ready,
    }))
    spark.stop()


if __name__ == "__main__":
    main()
