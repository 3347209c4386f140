package spark.jobserver.api;

/**
 * One reason why a job's input is not acceptable. Returned by {@link SparkJobBase#validate} inside a
 * {@link JobValidation.Bad}; its {@code toString()} is what the client sees in the VALIDATION FAILED reply.
 */
public interface ValidationProblem {}
