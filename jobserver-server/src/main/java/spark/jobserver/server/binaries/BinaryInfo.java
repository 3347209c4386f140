package spark.jobserver.server.binaries;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** One uploaded version of a binary. */
public record BinaryInfo(String appName, BinaryType type, Instant uploadTime, String sha256, long size) {
    public BinaryInfo {
        requireNonNull(appName, "appName is null");
        requireNonNull(type, "type is null");
        requireNonNull(uploadTime, "uploadTime is null");
        requireNonNull(sha256, "sha256 is null");
    }
}
