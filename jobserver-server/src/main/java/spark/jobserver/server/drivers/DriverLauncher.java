package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import spark.jobserver.protocol.BinaryRef;

/**
 * Starts the driver of a context and finds it again after a server restart. The local launcher runs
 * drivers as child processes of the server; others (spark-submit of a distribution, cluster deploy
 * mode) implement the same contract.
 */
public interface DriverLauncher {

    /**
     * What to launch.
     *
     * @param settings the context's effective settings
     * @param secret the private key the driver proves itself with; never logged, never on a command line
     * @param serverHttpUrl where the driver dials back
     * @param binaries the context's own binaries ({@code dependent-jar-uris}), resolved; the driver puts
     *     them on the class path before it makes the context
     */
    record Spec(
            String contextId,
            String contextName,
            Config settings,
            String secret,
            String serverHttpUrl,
            List<BinaryRef> binaries) {
        public Spec {
            requireNonNull(contextId, "contextId is null");
            requireNonNull(contextName, "contextName is null");
            requireNonNull(settings, "settings is null");
            requireNonNull(secret, "secret is null");
            requireNonNull(serverHttpUrl, "serverHttpUrl is null");
            binaries = List.copyOf(binaries);
        }

        @Override
        public String toString() {
            return "Spec[contextId=" + contextId + ", contextName=" + contextName + "]";
        }
    }

    /** A started driver and where it writes its log. */
    record Launched(DriverProcess process, Path logFile) {
        public Launched {
            requireNonNull(process, "process is null");
            requireNonNull(logFile, "logFile is null");
        }
    }

    /** Starts a driver; returns once its process exists (not once its context is up). */
    Launched launch(Spec spec) throws IOException;

    /** The driver of a context that outlived a server restart, if it still runs that context. */
    Optional<DriverProcess> find(long pid, String contextId);

    /** Prepares, in the background, what makes later launches faster. */
    default void prepare() {}
}
