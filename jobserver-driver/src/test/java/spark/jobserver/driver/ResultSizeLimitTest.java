package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import spark.jobserver.protocol.ErrorInfo;

class ResultSizeLimitTest {

    @Test
    void theLimitIsTheServersFrameLimitLessRoomForTheEnvelope() {
        assertThat(ResultSizeLimit.from(ConfigFactory.parseString("spark.jobserver.driver.max-message-size = 64k")))
                .isEqualTo(64 * 1024 - ResultSizeLimit.ENVELOPE);
        assertThat(ResultSizeLimit.from(ConfigFactory.empty())).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aResultThatFitsPasses() throws Exception {
        assertThat(ResultSizeLimit.check(JsonNodeFactory.instance.textNode("x".repeat(100)), 102))
                .isNull();
    }

    @Test
    void aLargerResultIsAClearError() throws Exception {
        ObjectNode big = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < 10_000; i++) {
            big.put("word" + i, i);
        }
        ErrorInfo error = ResultSizeLimit.check(big, 4096);
        assertThat(error).isNotNull();
        assertThat(error.errorClass()).isEqualTo("spark.jobserver.ResultTooLargeException");
        assertThat(error.message())
                .contains("more than 4096 bytes")
                .contains("spark.jobserver.driver.max-message-size")
                .contains("InputStream");
        // UTF-8 bytes count, not characters
        assertThat(ResultSizeLimit.check(JsonNodeFactory.instance.textNode("é".repeat(50)), 60))
                .isNotNull();
    }
}
