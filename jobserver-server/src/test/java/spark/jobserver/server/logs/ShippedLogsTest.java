package spark.jobserver.server.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.protocol.Message;
import spark.jobserver.server.contexts.ContextInfo;
import spark.jobserver.server.contexts.ContextState;

class ShippedLogsTest {
    @TempDir
    Path dir;

    @Test
    void shippedLinesAreAppendedBesideTheDriverLogAndServedInsteadOfIt() throws IOException {
        Path output = Files.writeString(dir.resolve("driver.log"), "spark-submit's output\n");
        ContextInfo context = new ContextInfo(
                "id",
                "ctx",
                "{}",
                ContextState.RUNNING,
                Instant.EPOCH,
                null,
                null,
                null,
                null,
                null,
                output.toString());
        assertThat(LogService.file(context)).contains(output);

        ShippedLogs shipped = new ShippedLogs();
        shipped.driverLog(context, new Message.DriverLog(List.of("[job j1] one", "two"), 0));
        shipped.driverLog(context, new Message.DriverLog(List.of("three"), 42));

        Path file = dir.resolve(LogService.SHIPPED_LOG);
        assertThat(Files.readString(file))
                .isEqualTo("[job j1] one\ntwo\n" + ShippedLogs.droppedMarker(42) + "\nthree\n");
        assertThat(LogService.file(context)).contains(file);
        assertThat(ShippedLogs.droppedMarker(42)).contains("42 line(s)");
    }

    @Test
    void aContextWithoutALogHasNone() {
        ContextInfo context = new ContextInfo(
                "id", "ctx", "{}", ContextState.STARTED, Instant.EPOCH, null, null, null, null, null, null);
        assertThat(LogService.file(context)).isEmpty();
        new ShippedLogs().driverLog(context, new Message.DriverLog(List.of("lost"), 0));
        assertThat(dir).isEmptyDirectory();
    }
}
