package spark.jobserver.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.server.http.Json;

class ResultLimitsTest {
    private final ResultLimits limits = new ResultLimits(100, 300);

    @Test
    void aResultWithinTheCapIsKept() {
        ResultLimits.End end = limits.apply("j", JobStatus.FINISHED, "\"" + "é".repeat(49) + "\"", null);
        assertThat(end.status()).isEqualTo(JobStatus.FINISHED);
        assertThat(end.result()).hasSize(51);
        assertThat(end.error()).isNull();
    }

    @Test
    void aResultOverTheCapMakesTheJobAnErrorThatSaysWhy() {
        // 51 characters but 100 bytes of UTF-8 plus the quotes
        ResultLimits.End end = limits.apply("job-1", JobStatus.FINISHED, "\"" + "é".repeat(50) + "\"", null);
        assertThat(end.status()).isEqualTo(JobStatus.ERROR);
        assertThat(end.result()).isNull();
        assertThat(end.error().errorClass()).isEqualTo(ResultLimits.TOO_LARGE_CLASS);
        assertThat(end.error().message())
                .contains("job-1")
                .contains("102 bytes")
                .contains("max-result-size")
                .contains("100 bytes");
    }

    @Test
    void aLongErrorIsCutToFitKeepingItsClassAndTheStartOfItsMessage() {
        ErrorInfo huge = new ErrorInfo(
                "boom: " + "x".repeat(1000), "java.lang.IllegalStateException", "at a.B.c(B.java:1)\n".repeat(1000));
        ErrorInfo capped = limits.apply("j", JobStatus.ERROR, null, huge).error();
        assertThat(Json.write(capped).getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(300);
        assertThat(capped.errorClass()).isEqualTo("java.lang.IllegalStateException");
        assertThat(capped.message()).startsWith("boom: xxx").contains("(cut");
    }

    @Test
    void aSmallErrorIsKeptAsItIs() {
        ErrorInfo small = new ErrorInfo("boom", "E", "at x");
        assertThat(limits.apply("j", JobStatus.ERROR, null, small).error()).isEqualTo(small);
    }
}
