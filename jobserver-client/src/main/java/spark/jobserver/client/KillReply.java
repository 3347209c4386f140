package spark.jobserver.client;

/**
 * The reply to {@code DELETE /jobs/<id>}: {@code KILLED}, or {@code ERROR} with the error of a job that had
 * already failed.
 */
public record KillReply(String status, ErrorInfo result) {}
