package spark.jobserver;

/**
 * A value kept by name in a context so that later jobs of the same context can use it (an RDD, a
 * DataFrame, a broadcast variable...).
 */
public interface NamedObject {}
