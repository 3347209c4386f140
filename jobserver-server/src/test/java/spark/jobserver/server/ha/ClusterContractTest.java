package spark.jobserver.server.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import spark.jobserver.server.contexts.ContextInfo;
import spark.jobserver.server.contexts.ContextState;
import spark.jobserver.server.contexts.JdbcContextStore;
import spark.jobserver.server.store.Database;
import spark.jobserver.server.store.TestDatabases;
import spark.jobserver.server.store.TestDatabases.Backend;
import spark.jobserver.server.testing.MutableClock;

/** What every database must do for {@link JdbcCluster}: run against H2, PostgreSQL and MariaDB. */
@ParameterizedClass
@EnumSource(Backend.class)
class ClusterContractTest {
    private static final Duration LEASE = Duration.ofSeconds(10);

    @Parameter
    Backend backend;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
    private Database database;
    private JdbcContextStore contexts;
    private JdbcCluster a;
    private JdbcCluster b;

    @BeforeEach
    void setUp() {
        database = TestDatabases.clean(backend);
        contexts = new JdbcContextStore(database);
        a = new JdbcCluster(database, "a", "http://a:8090", clock, LEASE);
        b = new JdbcCluster(database, "b", "http://b:8090", clock, LEASE);
    }

    private void context(String id, ContextState state) {
        contexts.insert(
                new ContextInfo(id, "ctx-" + id, "{}", state, clock.instant(), null, null, null, null, null, null),
                "verifier");
    }

    @Test
    void liveServersAreThoseWhoseLeaseHoldsThisOneFirst() {
        a.renewLease();
        b.renewLease();
        assertThat(b.liveMembers())
                .containsExactly(new Cluster.Member("b", "http://b:8090"), new Cluster.Member("a", "http://a:8090"));
        assertThat(a.liveMember("b")).contains(new Cluster.Member("b", "http://b:8090"));

        clock.advance(Duration.ofSeconds(6));
        a.renewLease();
        clock.advance(Duration.ofSeconds(6)); // b's lease ran out, a's holds
        assertThat(a.liveMembers()).extracting(Cluster.Member::id).containsExactly("a");
        assertThat(a.liveMember("b")).isEmpty();

        b.leave();
        a.leave();
        assertThat(a.liveMembers()).isEmpty();
    }

    @Test
    void anInstanceIsLiveWhileItsLeaseHoldsAndNotOnceItsServerRestarted() {
        a.renewLease();
        b.renewLease();
        assertThat(a.isLiveInstance(b.instanceId())).isTrue();
        assertThat(a.isLiveInstance(a.instanceId())).isTrue();
        assertThat(a.isLiveInstance("unknown")).isFalse();
        JdbcCluster restartedB = new JdbcCluster(database, "b", "http://b:8090", clock, LEASE);
        restartedB.renewLease();
        assertThat(a.isLiveInstance(b.instanceId())).as("b before its restart").isFalse();
        assertThat(a.isLiveInstance(restartedB.instanceId())).isTrue();
        clock.advance(Duration.ofSeconds(11));
        assertThat(a.isLiveInstance(restartedB.instanceId()))
                .as("its lease ran out")
                .isFalse();
    }

    @Test
    void anIdHeldByALiveServerAtAnotherAddressIsRefusedButTheSameAddressTakesItsOwnLeaseBack() {
        a.renewLease();
        JdbcCluster impostor = new JdbcCluster(database, "a", "http://elsewhere:8090", clock, LEASE);
        assertThatThrownBy(impostor::renewLease)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("in use by the live server at http://a:8090");
        // the same server restarted after a crash, its lease still running
        new JdbcCluster(database, "a", "http://a:8090", clock, LEASE).renewLease();
        clock.advance(Duration.ofSeconds(11));
        impostor.renewLease(); // once the lease ran out, the id is free
        assertThat(a.liveMember("a")).contains(new Cluster.Member("a", "http://elsewhere:8090"));
    }

    @Test
    void contextsOfADeadServerAreOrphansAndOneServerClaimsEach() {
        a.renewLease();
        b.renewLease();
        context("c1", ContextState.RUNNING);
        context("c2", ContextState.RUNNING);
        context("c3", ContextState.FINISHED);
        a.own("c1");
        a.own("c2");
        a.own("c3");
        b.own("c2"); // its driver went to b
        assertThat(b.owner("c1")).contains("a");
        assertThat(a.owns("c2")).isFalse();
        assertThat(b.owns("c2")).isTrue();
        assertThat(b.orphans()).isEmpty();

        clock.advance(Duration.ofSeconds(6));
        b.renewLease();
        clock.advance(Duration.ofSeconds(6)); // a is dead
        assertThat(b.orphans()).isEqualTo(Map.of("c1", "a")); // never an ended context
        JdbcCluster c = new JdbcCluster(database, "c", "http://c:8090", clock, LEASE);
        c.renewLease();
        assertThat(b.claim("c1", "a")).isTrue();
        assertThat(c.claim("c1", "a")).as("claimed already").isFalse();
        assertThat(c.owner("c1")).contains("b");
        assertThat(b.orphans()).isEmpty();
    }

    @Test
    void aContextWithoutAnOwnerIsAnOrphanOnlyOnceItIsOlderThanALease() {
        b.renewLease();
        context("new", ContextState.STARTED);
        assertThat(b.owner("new")).isEmpty();
        assertThat(b.orphans()).as("being recorded by its server").isEmpty();
        clock.advance(Duration.ofSeconds(11));
        b.renewLease();
        assertThat(b.orphans()).isEqualTo(Map.of("new", ""));
        assertThat(b.claim("new", "")).isTrue();
        assertThat(b.owner("new")).contains("b");
        assertThat(b.claim("new", "")).isFalse();
    }
}
