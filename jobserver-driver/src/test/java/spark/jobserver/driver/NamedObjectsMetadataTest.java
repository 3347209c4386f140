package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import scala.Function0;
import scala.concurrent.duration.FiniteDuration;
import spark.jobserver.NamedObject;
import spark.jobserver.NamedObjectPersister;

class NamedObjectsMetadataTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T10:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    private final DriverNamedObjects objects = new DriverNamedObjects(Duration.ofSeconds(5), clock);
    private static final FiniteDuration TIMEOUT = FiniteDuration.apply(5, "s");

    private record Thing(int n) implements NamedObject {}

    private static final NamedObjectPersister<Thing> PERSISTER = new NamedObjectPersister<>() {
        @Override
        public void persist(Thing namedObj, String name) {}

        @Override
        public Thing refresh(Thing namedObj) {
            return namedObj;
        }

        @Override
        public void unpersist(Thing namedObj) {}
    };

    private static Function0<Thing> thing(int n) {
        return () -> new Thing(n);
    }

    @Test
    void lastUseIsWhenAJobLastCreatedOrGotTheObject() {
        objects.getOrElseCreate("b", thing(2), TIMEOUT, PERSISTER);
        now.set(now.get().plusSeconds(10));
        objects.getOrElseCreate("a", thing(1), TIMEOUT, PERSISTER);
        assertThat(objects.stored())
                .extracting(DriverNamedObjects.Stored::name, DriverNamedObjects.Stored::lastUsed)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a", Instant.parse("2026-01-01T10:00:10Z")),
                        org.assertj.core.groups.Tuple.tuple("b", Instant.parse("2026-01-01T10:00:00Z")));

        now.set(now.get().plusSeconds(10));
        objects.get("b", TIMEOUT);
        now.set(now.get().plusSeconds(10));
        objects.getOrElseCreate("a", thing(99), TIMEOUT, PERSISTER); // exists: a use, not a creation
        assertThat(objects.stored())
                .extracting(DriverNamedObjects.Stored::lastUsed)
                .containsExactly(Instant.parse("2026-01-01T10:00:30Z"), Instant.parse("2026-01-01T10:00:20Z"));
        assertThat(objects.stored().get(0).object()).isEqualTo(new Thing(1));

        objects.forget("a");
        assertThat(objects.stored()).extracting(DriverNamedObjects.Stored::name).containsExactly("b");
    }

    @Test
    void storageLevelsAreNamedByTheirConstants() {
        assertThat(NamedObjectDescriptions.levelName(StorageLevel.MEMORY_ONLY()))
                .isEqualTo("MEMORY_ONLY");
        assertThat(NamedObjectDescriptions.levelName(StorageLevel.MEMORY_AND_DISK_SER_2()))
                .isEqualTo("MEMORY_AND_DISK_SER_2");
        assertThat(NamedObjectDescriptions.levelName(StorageLevel.NONE())).isEqualTo("NONE");
        assertThat(NamedObjectDescriptions.levelName(StorageLevel.apply(true, true, false, true, 3)))
                .isEqualTo(StorageLevel.apply(true, true, false, true, 3).description());
    }
}
