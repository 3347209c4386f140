package spark.jobserver.server.contexts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.server.store.TestDatabases;
import spark.jobserver.server.store.TestDatabases.Backend;

class ContextDirectoriesTest {
    @TempDir
    Path root;

    @Test
    void aContextsDirectoryAndLogsGoWithItsRecord() throws IOException {
        JdbcContextStore store = new JdbcContextStore(TestDatabases.clean(Backend.H2));
        Path contexts = root.resolve("contexts");
        store.insert(context("old", Instant.ofEpochMilli(2000)), "s");
        store.insert(context("live", null), "s");
        for (String id : new String[] {"old", "live", "unrecorded"}) {
            Files.createDirectories(contexts.resolve(id).resolve("binaries"));
            Files.writeString(contexts.resolve(id).resolve("driver.log"), "a line\n");
        }
        ContextDirectories directories = new ContextDirectories(contexts, store);

        assertThat(directories.deleteOrphans()).isEqualTo(1);
        assertThat(contexts.resolve("unrecorded")).doesNotExist();
        assertThat(contexts.resolve("old").resolve("driver.log")).exists();

        assertThat(store.deleteEndedBefore(Instant.ofEpochMilli(3000))).isEqualTo(1);
        assertThat(directories.deleteOrphans()).isEqualTo(1);
        assertThat(contexts.resolve("old")).doesNotExist();
        assertThat(contexts.resolve("live").resolve("driver.log")).exists();
        assertThat(new ContextDirectories(root.resolve("none"), store).deleteOrphans())
                .isZero();
    }

    private static ContextInfo context(String id, Instant end) {
        return new ContextInfo(
                id,
                "ctx-" + id,
                "{}",
                end == null ? ContextState.RUNNING : ContextState.FINISHED,
                Instant.ofEpochMilli(1000),
                end,
                null,
                null,
                null,
                null,
                null);
    }
}
