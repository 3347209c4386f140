package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The class-data sharing archive is built in the background at start and then used by new drivers. */
class ClassDataSharingIT {

    @Test
    void archiveIsBuiltOnceAndUsedByLaterDrivers() throws Exception {
        try (TestingJobServer server = TestingJobServer.start("spark.jobserver.driver.class-data-sharing = true")) {
            Path cds = server.root().resolve("cds");
            Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
            while (archives(cds) == 0 && Instant.now().isBefore(deadline)) {
                Thread.sleep(500); // polling a background build
            }
            assertThat(archives(cds)).as("archive built under " + cds).isEqualTo(1);

            server.uploadExamples("test");
            server.createContext("cds-ctx", "");
            String id = server.get("/contexts/cds-ctx").json().get("id").asText();
            ProcessHandle driver = server.driverProcess(id).orElseThrow();
            String cmdline = Files.readString(Path.of("/proc", Long.toString(driver.pid()), "cmdline"));
            assertThat(cmdline).contains("-XX:SharedArchiveFile=" + cds);
            var reply = server.post(
                    "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=cds-ctx"
                            + "&sync=true&timeout=60",
                    "input.string = a b a");
            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            assertThat(reply.json().get("result").toString()).isEqualTo("{\"a\":2,\"b\":1}");
        }
    }

    private static long archives(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jsa"))
                    .count();
        }
    }
}
