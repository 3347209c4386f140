package spark.jobserver.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;

/** An app's newest binary: {@code GET /binaries/<appName>}, and each entry of {@code GET /binaries}. */
public record Binary(
        @JsonProperty("app-name") String appName,
        @JsonProperty("binary-type") String binaryType,
        @JsonProperty("upload-time") String uploadTime) {
    public Binary {
        requireNonNull(appName, "appName is null");
    }
}
