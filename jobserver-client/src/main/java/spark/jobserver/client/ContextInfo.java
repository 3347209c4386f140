package spark.jobserver.client;

/**
 * A context as {@code GET /contexts/<name>} shows it.
 *
 * @param endTime UTC, or {@code Empty} while it runs
 * @param state STARTED, RUNNING, STOPPING, RESTARTING, FINISHED, ERROR or KILLED
 * @param applicationId Spark's, once the driver has one; else null
 * @param url the Spark UI, when there is one; else null
 */
public record ContextInfo(
        String id, String name, String startTime, String endTime, String state, String applicationId, String url) {}
