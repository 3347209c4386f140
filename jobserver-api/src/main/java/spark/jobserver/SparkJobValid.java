package spark.jobserver;

/** The job's input is acceptable. */
public enum SparkJobValid implements SparkJobValidation {
    INSTANCE;

    @Override
    public String toString() {
        return "SparkJobValid";
    }
}
