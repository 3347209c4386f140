package spark.jobserver.api;

import com.typesafe.config.Config;

/** A typed {@link SparkJob} whose input is simply the job configuration. */
public interface OldSparkJob extends SparkJob<Config, Object> {}
