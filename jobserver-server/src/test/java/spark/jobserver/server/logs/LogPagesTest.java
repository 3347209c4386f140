package spark.jobserver.server.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogPagesTest {
    private static final String LOG = String.join(
            "\n",
            "26/11/30 10:00:00 INFO Driver: starting",
            "[job a] 26/11/30 10:00:01 INFO JobA: hello from a",
            "[job b] 26/11/30 10:00:01 INFO JobB: hello from b",
            "[job a] 26/11/30 10:00:02 WARN JobA: a failed",
            "java.lang.IllegalStateException: boom",
            "\tat spark.jobserver.JobA.run(JobA.java:12)",
            "Caused by: java.io.IOException: disk",
            "\t... 3 more",
            "26/11/30 10:00:03 INFO DAGScheduler: not a job's line",
            "[job b] printed by b",
            "not a continuation: belongs to nobody",
            "");

    @TempDir
    Path dir;

    private Path log() throws IOException {
        return Files.writeString(dir.resolve("driver.log"), LOG);
    }

    @Test
    void pagesOfWholeLinesJoinToTheFile() throws IOException {
        Path file = log();
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        long offset = 0;
        int pages = 0;
        while (true) {
            LogPages.Page page = LogPages.read(file, offset, 100);
            if (page.bytes().length == 0) {
                break;
            }
            assertThat(page.bytes()[page.bytes().length - 1]).isEqualTo((byte) '\n');
            assertThat(page.bytes().length).isLessThanOrEqualTo(100);
            joined.writeBytes(page.bytes());
            offset = page.next();
            pages++;
        }
        assertThat(pages).isGreaterThan(2);
        assertThat(joined.toString(StandardCharsets.UTF_8)).isEqualTo(LOG);
        assertThat(offset).isEqualTo(Files.size(file));
    }

    @Test
    void aLineLongerThanAPageIsCut() throws IOException {
        Path file = Files.writeString(dir.resolve("long.log"), "x".repeat(50) + "\n");
        LogPages.Page first = LogPages.read(file, 0, 20);
        assertThat(first.bytes()).hasSize(20);
        assertThat(first.next()).isEqualTo(20);
        assertThat(LogPages.read(file, 100, 20).bytes()).isEmpty();
        assertThat(LogPages.read(file, 100, 20).next()).isEqualTo(100);
    }

    @Test
    void aJobsPageHoldsItsTaggedLinesAndTheStackTracesThatContinueThem() throws IOException {
        LogPages.Page a = LogPages.job(log(), "a", 0, 1 << 20, 1 << 20);
        assertThat(a.bytes())
                .asString(StandardCharsets.UTF_8)
                .isEqualTo(String.join(
                        "\n",
                        "[job a] 26/11/30 10:00:01 INFO JobA: hello from a",
                        "[job a] 26/11/30 10:00:02 WARN JobA: a failed",
                        "java.lang.IllegalStateException: boom",
                        "\tat spark.jobserver.JobA.run(JobA.java:12)",
                        "Caused by: java.io.IOException: disk",
                        "\t... 3 more",
                        ""));
        LogPages.Page b = LogPages.job(log(), "b", 0, 1 << 20, 1 << 20);
        assertThat(b.bytes())
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("[job b] 26/11/30 10:00:01 INFO JobB: hello from b\n[job b] printed by b\n");
        assertThat(b.next()).isEqualTo(Files.size(log()));
        assertThat(LogPages.job(log(), "c", 0, 1 << 20, 1 << 20).bytes()).isEmpty();
    }

    @Test
    void aJobsPageThatStartsMidEntryFindsTheEntrysJob() throws IOException {
        Path file = log();
        long offset = LOG.indexOf("\tat spark.jobserver");
        LogPages.Page a = LogPages.job(file, "a", offset, 1 << 20, 1 << 20);
        assertThat(a.bytes())
                .asString(StandardCharsets.UTF_8)
                .startsWith("\tat spark.jobserver.JobA.run")
                .endsWith("\t... 3 more\n");
    }

    @Test
    void aJobsPagesByLimitJoinToItsLines() throws IOException {
        Path file = log();
        String whole = new String(LogPages.job(file, "a", 0, 1 << 20, 1 << 20).bytes(), StandardCharsets.UTF_8);
        StringBuilder joined = new StringBuilder();
        long offset = 0;
        while (offset < Files.size(file)) {
            LogPages.Page page = LogPages.job(file, "a", offset, 60, 80);
            assertThat(page.next()).isGreaterThan(offset);
            joined.append(new String(page.bytes(), StandardCharsets.UTF_8));
            offset = page.next();
        }
        assertThat(joined.toString()).isEqualTo(whole);
    }

    @Test
    void aLineStillBeingWrittenWaitsForItsEnd() throws IOException {
        Path file = Files.writeString(dir.resolve("growing.log"), "[job a] one\n[job a] tw");
        LogPages.Page page = LogPages.job(file, "a", 0, 1 << 20, 1 << 20);
        assertThat(page.bytes()).asString(StandardCharsets.UTF_8).isEqualTo("[job a] one\n");
        assertThat(page.next()).isEqualTo("[job a] one\n".length());
    }

    @Test
    void aRangeIsExact() throws IOException {
        LogPages.Page range = LogPages.range(log(), 3, 7);
        assertThat(range.bytes()).asString(StandardCharsets.UTF_8).isEqualTo(LOG.substring(3, 8));
        assertThat(range.next()).isEqualTo(8);
    }
}
