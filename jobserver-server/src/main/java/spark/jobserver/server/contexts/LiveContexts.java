package spark.jobserver.server.contexts;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The contexts this server follows, by id and by name. A context is here from its start to its end. */
final class LiveContexts {
    private final ConcurrentHashMap<String, LiveContext> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LiveContext> byName = new ConcurrentHashMap<>();

    /** Adds a context unless one of its name is already here; returns whether it was added. */
    boolean add(LiveContext live) {
        if (byName.putIfAbsent(live.name(), live) != null) {
            return false;
        }
        byId.put(live.id(), live);
        return true;
    }

    void remove(LiveContext live) {
        byName.remove(live.name(), live);
        byId.remove(live.id(), live);
    }

    Optional<LiveContext> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    Optional<LiveContext> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    Collection<LiveContext> all() {
        return byId.values();
    }

    /** Names of the contexts that are up (RUNNING, RESTARTING, STOPPING), oldest first. */
    List<String> listedNames() {
        return byName.values().stream()
                .map(LiveContext::info)
                .filter(i -> i.state().isListed())
                .sorted(Comparator.comparing(ContextInfo::startTime))
                .map(ContextInfo::name)
                .toList();
    }
}
