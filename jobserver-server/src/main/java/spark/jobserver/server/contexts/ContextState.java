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

    /** Whether a context in this state may move to {@code next}: never out of a final state, never back to the start. */
    public boolean canMoveTo(ContextState next) {
        if (isTerminal() || next == this || next == STARTED) {
            return false;
        }
        return switch (this) {
            case STARTED -> true;
            case RUNNING -> true;
            case RESTARTING -> true;
            case STOPPING -> next.isTerminal();
            default -> false;
        };
    }
}
