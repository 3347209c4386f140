package spark.jobserver.server.contexts;

/** A context's life, as the reference names it. */
public enum ContextState {
    STARTED,
    RUNNING,
    STOPPING,
    RESTARTING,
    FINISHED,
    ERROR,
    KILLED;

    public boolean isTerminal() {
        return this == FINISHED || this == ERROR || this == KILLED;
    }

    /** Listed by {@code GET /contexts}. */
    public boolean isListed() {
        return this == RUNNING || this == RESTARTING || this == STOPPING;
    }
}
