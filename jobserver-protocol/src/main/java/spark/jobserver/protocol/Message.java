package spark.jobserver.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Every frame that crosses the WebSocket between the server and a driver, as JSON text with a
 * {@code type} field. {@link ToDriver} messages go from the server to the driver, {@link ToServer}
 * the other way.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Message.Challenge.class, name = "Challenge"),
    @JsonSubTypes.Type(value = Message.Accepted.class, name = "Accepted"),
    @JsonSubTypes.Type(value = Message.StartJob.class, name = "StartJob"),
    @JsonSubTypes.Type(value = Message.KillJob.class, name = "KillJob"),
    @JsonSubTypes.Type(value = Message.StopContext.class, name = "StopContext"),
    @JsonSubTypes.Type(value = Message.Authenticate.class, name = "Authenticate"),
    @JsonSubTypes.Type(value = Message.ContextReady.class, name = "ContextReady"),
    @JsonSubTypes.Type(value = Message.ContextInitFailed.class, name = "ContextInitFailed"),
    @JsonSubTypes.Type(value = Message.JobRejected.class, name = "JobRejected"),
    @JsonSubTypes.Type(value = Message.JobValidationFailed.class, name = "JobValidationFailed"),
    @JsonSubTypes.Type(value = Message.JobStarted.class, name = "JobStarted"),
    @JsonSubTypes.Type(value = Message.JobFinished.class, name = "JobFinished"),
    @JsonSubTypes.Type(value = Message.JobFailed.class, name = "JobFailed"),
    @JsonSubTypes.Type(value = Message.JobKilled.class, name = "JobKilled"),
    @JsonSubTypes.Type(value = Message.Heartbeat.class, name = "Heartbeat"),
    @JsonSubTypes.Type(value = Message.JobStreamFinished.class, name = "JobStreamFinished"),
    @JsonSubTypes.Type(value = Message.ContextStopping.class, name = "ContextStopping"),
    @JsonSubTypes.Type(value = Message.ListNamedObjects.class, name = "ListNamedObjects"),
    @JsonSubTypes.Type(value = Message.NamedObjectsListed.class, name = "NamedObjectsListed"),
    @JsonSubTypes.Type(value = Message.JobProgress.class, name = "JobProgress"),
    @JsonSubTypes.Type(value = Message.DriverLog.class, name = "DriverLog"),
    @JsonSubTypes.Type(value = Message.Servers.class, name = "Servers"),
    @JsonSubTypes.Type(value = Message.Acked.class, name = "Acked"),
})
public sealed interface Message {

    /** From the server to a driver. */
    sealed interface ToDriver extends Message {}

    /** From a driver to the server. */
    sealed interface ToServer extends Message {}

    /** Messages about one job. */
    sealed interface JobEvent extends ToServer {
        String jobId();
    }

    // ---- server -> driver

    /** First frame on a new connection: the driver must answer with {@link Authenticate}. */
    record Challenge(String nonce) implements ToDriver {}

    /**
     * The driver proved it holds the context's secret.
     *
     * @param contextReady whether the server already knows this driver's context as running (a driver
     *     re-attaching after a server restart)
     * @param servers the base HTTP URLs of every live server sharing the database, this one first: where
     *     the driver re-attaches when this server goes away (empty from a server that is alone)
     */
    record Accepted(boolean contextReady, List<String> servers) implements ToDriver {
        public Accepted {
            servers = servers == null ? List.of() : List.copyOf(servers);
        }

        public Accepted(boolean contextReady) {
            this(contextReady, List.of());
        }
    }

    /**
     * The live servers changed: their base HTTP URLs, the sending server first. The driver re-attaches to
     * one of them when its server goes away.
     */
    record Servers(List<String> urls) implements ToDriver {
        public Servers {
            urls = List.copyOf(urls);
        }
    }

    /**
     * The server recorded a job event durably (its database transaction committed): the driver may forget
     * it. Until then the driver keeps the event and sends it again on its next connection, to this server
     * or another; the server applies each event once.
     *
     * @param jobId the event's job
     * @param event the event's type name ({@code JobFinished}, ...)
     */
    record Acked(String jobId, String event) implements ToDriver {
        /** The acknowledgement of {@code event}. */
        public static Acked of(JobEvent event) {
            return new Acked(event.jobId(), event.getClass().getSimpleName());
        }

        /** Whether this acknowledges {@code event}. */
        public boolean acknowledges(JobEvent event) {
            return jobId.equals(event.jobId())
                    && this.event.equals(event.getClass().getSimpleName());
        }
    }

    /**
     * Run a job.
     *
     * @param jobId the job's id
     * @param classPath the job's class
     * @param binaries what must be on the class path, in order
     * @param jobConfig the posted job configuration as JSON text
     */
    record StartJob(String jobId, String classPath, List<BinaryRef> binaries, String jobConfig) implements ToDriver {
        public StartJob {
            binaries = List.copyOf(binaries);
        }
    }

    /** Cancel a running job. */
    record KillJob(String jobId) implements ToDriver {}

    /** Stop the Spark context and exit. */
    record StopContext() implements ToDriver {}

    /**
     * Describe the context's named objects (metadata only, never their data); answered by {@link
     * NamedObjectsListed} with the same {@code requestId}.
     */
    record ListNamedObjects(String requestId) implements ToDriver {}

    // ---- driver -> server

    /**
     * Answer to {@link Challenge}.
     *
     * @param contextId the context the driver runs
     * @param mac HMAC-SHA256 of the nonce under the context's secret, hex
     */
    record Authenticate(String contextId, String mac) implements ToServer {}

    /**
     * The Spark context is up. Sent again first thing on every later connection of the same driver.
     *
     * @param incarnation a random id of this driver JVM: a different one for a running context means its
     *     driver was restarted (supervise) and runs none of the context's jobs; null from older drivers
     */
    record ContextReady(String applicationId, String uiUrl, String incarnation) implements ToServer {}

    /** The Spark context could not be created; the driver exits after sending this. */
    record ContextInitFailed(ErrorInfo error) implements ToServer {}

    /** The job was refused before any of its code ran. */
    record JobRejected(String jobId, Rejection reason, ErrorInfo error) implements JobEvent {}

    /** The job's validation refused its input. */
    record JobValidationFailed(String jobId, ErrorInfo error) implements JobEvent {}

    /** Validation passed and the job runs. */
    record JobStarted(String jobId, long startTime) implements JobEvent {}

    /** The job returned; {@code result} is its JSON rendering. */
    record JobFinished(String jobId, long endTime, JsonNode result) implements JobEvent {}

    /** The job threw. */
    record JobFailed(String jobId, long endTime, ErrorInfo error) implements JobEvent {}

    /** The job was cancelled by a {@link KillJob}. */
    record JobKilled(String jobId, long endTime) implements JobEvent {}

    /**
     * The job returned a {@code java.io.InputStream}: its bytes were uploaded to the server
     * ({@code POST DriverLaunch.RESULT_PATH + jobId}) before this message was sent.
     *
     * @param size the number of bytes uploaded
     */
    record JobStreamFinished(String jobId, long endTime, long size) implements JobEvent {}

    /**
     * The driver is stopping its context on its own (for example {@code stop-context-on-job-error});
     * the process exit that follows is a normal end, not a crash.
     */
    record ContextStopping(String reason) implements ToServer {}

    /**
     * Answer to {@link ListNamedObjects}: the objects, or why they could not be listed ({@code error} set,
     * {@code objects} empty).
     */
    record NamedObjectsListed(String requestId, List<NamedObjectInfo> objects, ErrorInfo error) implements ToServer {
        public NamedObjectsListed {
            objects = objects == null ? List.of() : List.copyOf(objects);
        }
    }

    /**
     * How far a job's Spark work is: the whole picture each time (not a delta), at most every few
     * hundred milliseconds while it changes, and once more, complete, before the job's end event.
     */
    record JobProgress(String jobId, ProgressReport progress) implements ToServer {}

    /**
     * Lines of the driver's log, shipped by a driver whose log file the server cannot read (one on a
     * cluster node).
     *
     * @param lines the lines, oldest first, without line ends
     * @param dropped how many lines were dropped before these because the driver's buffer was full
     */
    record DriverLog(List<String> lines, long dropped) implements ToServer {
        public DriverLog {
            lines = List.copyOf(lines);
        }
    }

    /** Sent periodically; proves the driver alive. */
    record Heartbeat(long time, List<String> runningJobs) implements ToServer {
        public Heartbeat {
            runningJobs = List.copyOf(runningJobs);
        }
    }
}
