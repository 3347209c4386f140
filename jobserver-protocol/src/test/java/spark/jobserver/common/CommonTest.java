package spark.jobserver.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommonTest {

    @Test
    void threadsAreNamedDaemons() {
        NamedThreads factory = NamedThreads.daemon("jobserver-test");
        Thread first = factory.newThread(() -> {});
        Thread second = factory.newThread(() -> {});
        assertThat(first.getName()).isEqualTo("jobserver-test-1");
        assertThat(second.getName()).isEqualTo("jobserver-test-2");
        assertThat(first.isDaemon()).isTrue();
    }

    @Test
    void moveIntoPlaceReplacesTheTarget(@TempDir Path dir) throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "old");
        Path partial = Files.writeString(dir.resolve("partial"), "new");
        MoreFiles.moveIntoPlace(partial, target);
        assertThat(target).hasContent("new");
        assertThat(partial).doesNotExist();
    }

    @Test
    void lazyBuildsOnceAtFirstUse() {
        AtomicInteger builds = new AtomicInteger();
        Lazy<String> lazy = Lazy.of(() -> "built " + builds.incrementAndGet());
        assertThat(lazy.isBuilt()).isFalse();
        assertThat(builds).hasValue(0);
        assertThat(lazy.get()).isEqualTo("built 1");
        assertThat(lazy.get()).isEqualTo("built 1");
        assertThat(lazy.isBuilt()).isTrue();
    }
}
