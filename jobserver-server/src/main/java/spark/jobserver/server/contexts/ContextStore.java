package spark.jobserver.server.contexts;

import java.util.List;
import java.util.Optional;

/** Where contexts are recorded. */
public interface ContextStore {

    /** Records a new context with the secret its driver proves itself with. */
    void insert(ContextInfo context, String secret);

    /** Saves the context's current state. */
    void update(ContextInfo context);

    Optional<ContextInfo> get(String id);

    /** The newest context of this name, in any state. */
    Optional<ContextInfo> latestByName(String name);

    /** Contexts that were not in a final state, oldest first. */
    List<ContextInfo> unfinished();

    /** The secret of the context's driver. */
    Optional<String> secret(String id);

    /** Deletes the contexts that ended before {@code endedBefore}; never a live one. Returns how many. */
    int deleteEndedBefore(java.time.Instant endedBefore);
}
