package spark.jobserver.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamResultsTest {

    @Test
    void streamsOfPrunedJobsAreDeletedAndOthersKept(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kept.bin"), "a");
        Files.writeString(dir.resolve("pruned.bin"), "b");
        Files.writeString(dir.resolve("other.part"), "c");
        StreamResults streams = new StreamResults(dir, 1 << 20, 1024);

        int deleted = streams.deleteOrphans(Set.of("kept")::contains);

        assertThat(deleted).isEqualTo(1);
        assertThat(dir.resolve("kept.bin")).exists();
        assertThat(dir.resolve("pruned.bin")).doesNotExist();
        assertThat(dir.resolve("other.part")).exists();
    }
}
