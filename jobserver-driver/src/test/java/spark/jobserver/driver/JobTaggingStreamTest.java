package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.ThreadContext;
import org.junit.jupiter.api.Test;
import spark.jobserver.protocol.JobLogTags;
import spark.jobserver.protocol.Message;

class JobTaggingStreamTest {

    @Test
    void eachLineAJobsThreadPrintsStartsWithItsTag() throws Exception {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        JobTaggingStream tagging = new JobTaggingStream(raw);
        List<String> shipped = new ArrayList<>();
        tagging.tee(shipped::add);
        PrintStream out = new PrintStream(tagging, true, StandardCharsets.UTF_8);
        out.println("before");
        ThreadContext.put(JobLogTags.MDC_KEY, "j1");
        try {
            out.print("one\ntwo");
            out.println(" still two");
            new IllegalStateException("boom").printStackTrace(out);
        } finally {
            ThreadContext.remove(JobLogTags.MDC_KEY);
        }
        Thread other = new Thread(() -> out.println("another thread"));
        other.start();
        other.join();
        String text = raw.toString(StandardCharsets.UTF_8);
        assertThat(text)
                .startsWith("before\n[job j1] one\n[job j1] two still two\n"
                        + "[job j1] java.lang.IllegalStateException: boom\n[job j1] \tat ");
        assertThat(text).endsWith("\nanother thread\n");
        assertThat(text.lines().filter(l -> !l.startsWith("[job j1] ")).toList())
                .containsExactly("before", "another thread");
        assertThat(shipped).startsWith("before", "[job j1] one", "[job j1] two still two");
        assertThat(shipped)
                .hasSize(text.lines().count() > 0 ? (int) text.lines().count() : 0);
    }

    @Test
    void theShipperKeepsTheNewestLinesAndCountsTheDropped() {
        LogShipper shipper = new LogShipper(3);
        for (int i = 1; i <= 5; i++) {
            shipper.line("line " + i);
        }
        List<Message.DriverLog> sent = new ArrayList<>();
        shipper.flush(batch -> false); // not connected: kept
        assertThat(shipper.waiting()).containsExactly("line 3", "line 4", "line 5");
        shipper.flush(sent::add);
        assertThat(sent).containsExactly(new Message.DriverLog(List.of("line 3", "line 4", "line 5"), 2));
        assertThat(shipper.waiting()).isEmpty();
    }
}
