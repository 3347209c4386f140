package spark.jobserver.context;

/**
 * The original project's factory for Java jobs. Every job here is compiled Java, so it makes the same
 * context and accepts the same jobs as {@link DefaultSparkContextFactory}; {@link spark.jobserver.japi.JSparkJob}s
 * receive a {@code JavaSparkContext} wrapping it.
 */
public class JavaSparkContextFactory extends DefaultSparkContextFactory {}
