package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import spark.jobserver.NamedObjectPersister;
import spark.jobserver.common.NamedThreads;
import spark.jobserver.driver.TestJobs.Box;

class DriverNamedObjectsTest {
    private final DriverNamedObjects objects = new DriverNamedObjects(Duration.ofSeconds(5));
    private final ExecutorService pool = Executors.newCachedThreadPool(NamedThreads.daemon("named-objects-test"));

    /** Counts its calls. */
    private static final class CountingPersister implements NamedObjectPersister<Box> {
        final AtomicInteger persisted = new AtomicInteger();
        final List<Box> unpersisted = new ArrayList<>();

        @Override
        public void persist(Box namedObject, String name) {
            persisted.incrementAndGet();
        }

        @Override
        public synchronized void unpersist(Box namedObject) {
            unpersisted.add(namedObject);
        }
    }

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void concurrentCallersCreateOnceAndShareTheObject() throws Exception {
        CountingPersister persister = new CountingPersister();
        AtomicInteger generated = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Box>> callers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            callers.add(pool.submit(() -> {
                start.await();
                return objects.getOrElseCreate(
                        "rdd",
                        () -> {
                            generated.incrementAndGet();
                            sleep(100);
                            return new Box(42);
                        },
                        persister);
            }));
        }
        start.countDown();
        Box first = callers.get(0).get(10, TimeUnit.SECONDS);
        for (Future<Box> caller : callers) {
            assertThat(caller.get(10, TimeUnit.SECONDS)).isSameAs(first);
        }
        assertThat(generated).hasValue(1);
        assertThat(persister.persisted).hasValue(1);
        assertThat(objects.getNames()).containsExactly("rdd");
    }

    @Test
    void waitersGiveUpAfterTheTimeout() throws Exception {
        CountDownLatch creating = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<Box> creator = pool.submit(() -> objects.getOrElseCreate(
                "slow",
                () -> {
                    creating.countDown();
                    await(release);
                    return new Box(1);
                },
                new CountingPersister()));
        assertThat(creating.await(5, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> objects.getOrElseCreate(
                        "slow", () -> new Box(2), new CountingPersister(), Duration.ofMillis(100)))
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining("slow");
        // A name still being created is not listed yet, but get waits for it.
        assertThat(objects.getNames()).isEmpty();
        Future<java.util.Optional<Box>> getter = pool.submit(() -> objects.get("slow"));

        release.countDown();
        assertThat(creator.get(5, TimeUnit.SECONDS).value()).isEqualTo(1);
        assertThat(getter.get(5, TimeUnit.SECONDS)).contains(new Box(1));
    }

    @Test
    void aFailedCreationFreesTheNameAndFailsItsWaiters() throws Exception {
        CountDownLatch creating = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<Box> creator = pool.submit(() -> objects.getOrElseCreate(
                "bad",
                () -> {
                    creating.countDown();
                    await(release);
                    throw new IllegalStateException("no data");
                },
                new CountingPersister()));
        assertThat(creating.await(5, TimeUnit.SECONDS)).isTrue();
        AtomicReference<Thread> waiterThread = new AtomicReference<>();
        Future<Box> waiter = pool.submit(() -> {
            waiterThread.set(Thread.currentThread());
            return objects.getOrElseCreate("bad", () -> new Box(2), new CountingPersister());
        });
        awaitParked(waiterThread);
        release.countDown();

        assertThatThrownBy(() -> creator.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(DriverNamedObjects.CreationFailedException.class)
                .hasMessageContaining("no data");
        assertThat(objects.get("bad")).isEmpty();
        assertThat(objects.getOrElseCreate("bad", () -> new Box(3), new CountingPersister())
                        .value())
                .isEqualTo(3);
    }

    @Test
    void getFindsOnlyWhatIsStored() throws Exception {
        assertThat(objects.<Box>get("none")).isEmpty();
        objects.getOrElseCreate("one", () -> new Box(1), new CountingPersister());
        assertThat(objects.<Box>get("one")).contains(new Box(1));
    }

    @Test
    void updateReplacesWithoutUnpersisting() throws Exception {
        CountingPersister persister = new CountingPersister();
        objects.getOrElseCreate("x", () -> new Box(1), persister);
        Box updated = objects.update("x", () -> new Box(2), persister);
        assertThat(updated).isEqualTo(new Box(2));
        assertThat(objects.<Box>get("x")).contains(new Box(2));
        assertThat(persister.persisted).hasValue(2);
        assertThat(persister.unpersisted).isEmpty();
    }

    @Test
    void forgetKeepsTheObjectAndDestroyUnpersistsIt() throws Exception {
        CountingPersister persister = new CountingPersister();
        Box a = objects.getOrElseCreate("a", () -> new Box(1), persister);
        Box b = objects.getOrElseCreate("b", () -> new Box(2), persister);
        assertThat(objects.getNames()).containsExactly("a", "b");

        objects.forget("a");
        assertThat(objects.getNames()).containsExactly("b");
        assertThat(persister.unpersisted).isEmpty();

        objects.destroy(b, "b", persister);
        assertThat(objects.getNames()).isEmpty();
        assertThat(persister.unpersisted).containsExactly(b);
        assertThat(a).isNotNull();
    }

    @Test
    void aGeneratorReturningNullIsAnError() {
        assertThatThrownBy(() -> objects.getOrElseCreate("n", () -> null, new CountingPersister()))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("returned null");
        assertThat(objects.getNames()).isEmpty();
    }

    /** Waits until the thread is blocked waiting for another caller's creation. */
    private static void awaitParked(AtomicReference<Thread> thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.get() == null || thread.get().getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime()).as("waiting for the waiter to park").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
