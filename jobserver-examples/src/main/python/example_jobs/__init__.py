"""Example Python jobs, named as in spark-jobserver's Python examples so its walk-through works."""
