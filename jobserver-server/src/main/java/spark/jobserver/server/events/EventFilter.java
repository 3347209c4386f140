package spark.jobserver.server.events;

import java.util.Set;
import java.util.function.Predicate;

/**
 * Which events one client receives. Each given filter must match: {@code contexts} an event about one of
 * those contexts (a context's own events, and its jobs' events), {@code jobs} an event about one of those
 * jobs (so context events are left out). Progress events only when asked for.
 *
 * @param contexts stored context names; empty for any
 * @param jobs job ids; empty for any
 * @param progress whether progress events are sent
 * @param ownPrefix with use-as-proxy-user, the prefix of the stored names of the user's own contexts: the
 *     events of other users' contexts are left out; null for any
 */
record EventFilter(Set<String> contexts, Set<String> jobs, boolean progress, String ownPrefix)
        implements Predicate<ServerEvent> {
    static final EventFilter ALL = new EventFilter(Set.of(), Set.of(), true, null);

    EventFilter {
        contexts = Set.copyOf(contexts);
        jobs = Set.copyOf(jobs);
    }

    @Override
    public boolean test(ServerEvent event) {
        if (event.type().equals(ServerEvent.PROGRESS) && !progress) {
            return false;
        }
        if (ownPrefix != null
                && event.type().equals(ServerEvent.CONTEXT)
                && !event.contextName().startsWith(ownPrefix)) {
            return false;
        }
        if (!contexts.isEmpty() && (event.contextName() == null || !contexts.contains(event.contextName()))) {
            return false;
        }
        return jobs.isEmpty() || (event.jobId() != null && jobs.contains(event.jobId()));
    }
}
