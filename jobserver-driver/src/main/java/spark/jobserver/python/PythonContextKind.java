package spark.jobserver.python;

/** What a Python job receives as its {@code context}. */
enum PythonContextKind {
    /** A {@code pyspark.sql.SparkSession}. */
    SESSION("session"),
    /** A {@code pyspark.SparkContext}. */
    CONTEXT("context");

    private final String wireName;

    PythonContextKind(String wireName) {
        this.wireName = wireName;
    }

    /** As the Python worker knows it. */
    String wireName() {
        return wireName;
    }
}
