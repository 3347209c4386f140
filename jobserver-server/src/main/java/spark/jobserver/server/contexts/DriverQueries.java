package spark.jobserver.server.contexts;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import spark.jobserver.protocol.Message;

/**
 * Questions the server asks drivers, waiting for their answers by request id. An answer is taken on the
 * connection's reader thread: completing a future is all it costs there, whoever waits moves on to a
 * thread of its own.
 */
final class DriverQueries {
    private final ConcurrentMap<String, CompletableFuture<Message.NamedObjectsListed>> namedObjects =
            new ConcurrentHashMap<>();

    /** A new request id and the future its answer completes; the caller sends the question and bounds the wait. */
    Pending<Message.NamedObjectsListed> newNamedObjectsQuery() {
        String id = UUID.randomUUID().toString();
        CompletableFuture<Message.NamedObjectsListed> answer = new CompletableFuture<>();
        namedObjects.put(id, answer);
        // however it ends (answer, timeout, the context's end), the request is forgotten
        answer.whenComplete((a, t) -> namedObjects.remove(id));
        return new Pending<>(id, answer);
    }

    /** An answer; one nobody waits for any more (timed out) is dropped. */
    void answered(Message.NamedObjectsListed answer) {
        CompletableFuture<Message.NamedObjectsListed> waiting = namedObjects.get(answer.requestId());
        if (waiting != null) {
            waiting.complete(answer);
        }
    }

    record Pending<T>(String requestId, CompletableFuture<T> answer) {}
}
