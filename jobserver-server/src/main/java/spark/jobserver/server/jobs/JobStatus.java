package spark.jobserver.server.jobs;

/** A job's life, as the reference names it. STARTED appears only in the reply to an async POST. */
public enum JobStatus {
    STARTED,
    RUNNING,
    FINISHED,
    ERROR,
    KILLED,
    RESTARTING;

    public boolean isTerminal() {
        return this == FINISHED || this == ERROR || this == KILLED;
    }
}
