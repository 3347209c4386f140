package spark.jobserver.server.contexts;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import spark.jobserver.protocol.ErrorInfo;

/**
 * A context as stored.
 *
 * @param config the effective context settings as JSON text
 * @param endTime null while the context lives
 * @param error why the context ended in ERROR; null otherwise
 */
public record ContextInfo(
        String id,
        String name,
        String config,
        ContextState state,
        Instant startTime,
        Instant endTime,
        String applicationId,
        String uiUrl,
        ErrorInfo error,
        Long pid,
        String logPath) {

    public ContextInfo {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(config, "config is null");
        requireNonNull(state, "state is null");
        requireNonNull(startTime, "startTime is null");
    }

    ContextInfo withState(ContextState newState, Instant end, ErrorInfo newError) {
        return new ContextInfo(
                id, name, config, newState, startTime, end, applicationId, uiUrl, newError, pid, logPath);
    }

    ContextInfo withApplication(String newApplicationId, String newUiUrl) {
        return new ContextInfo(
                id, name, config, state, startTime, endTime, newApplicationId, newUiUrl, error, pid, logPath);
    }

    ContextInfo withProcess(Long newPid, String newLogPath) {
        return new ContextInfo(
                id, name, config, state, startTime, endTime, applicationId, uiUrl, error, newPid, newLogPath);
    }
}
