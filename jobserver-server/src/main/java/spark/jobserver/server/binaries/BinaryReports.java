package spark.jobserver.server.binaries;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import spark.jobserver.server.http.Times;

/** The wire forms of a binary, as the reference writes them. */
final class BinaryReports {
    private BinaryReports() {}

    /** A value of {@code GET /binaries}, keyed by the app's name. */
    @Schema(name = "BinarySummary", description = "The newest version of an app")
    record Summary(
            @JsonProperty("binary-type") @Schema(allowableValues = {"Jar", "Egg", "Wheel"})
            String binaryType,

            @JsonProperty("upload-time") @Schema(description = "UTC, with milliseconds")
            String uploadTime) {
        static Summary of(BinaryInfo info) {
            return new Summary(info.type().wireName(), Times.utc(info.uploadTime()));
        }
    }

    /** {@code GET /binaries/<appName>}. */
    @Schema(name = "BinaryReport")
    record Report(
            @JsonProperty("app-name") String appName,

            @JsonProperty("binary-type") @Schema(allowableValues = {"Jar", "Egg", "Wheel"})
            String binaryType,

            @JsonProperty("upload-time") @Schema(description = "UTC, with milliseconds")
            String uploadTime) {
        static Report of(BinaryInfo info) {
            return new Report(info.appName(), info.type().wireName(), Times.utc(info.uploadTime()));
        }
    }
}
