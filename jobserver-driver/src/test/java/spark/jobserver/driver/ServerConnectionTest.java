package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.Message;

class ServerConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String CONTEXT_ID = "ctx-42";
    private static final String SECRET = DriverAuth.randomToken();
    private static final JsonNode RESULT =
            JsonNodeFactory.instance.arrayNode().add(2).add(4);

    private FakeServer server;
    private ServerConnection connection;
    private final BlockingQueue<Message.ToDriver> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> gaveUp = new CompletableFuture<>();

    private final ServerConnection.Listener listener = new ServerConnection.Listener() {
        @Override
        public void onMessage(Message.ToDriver message) {
            received.add(message);
        }

        @Override
        public void onGiveUp(String reason) {
            gaveUp.complete(reason);
        }
    };

    @BeforeEach
    void startServer() throws Exception {
        server = new FakeServer(CONTEXT_ID, SECRET);
    }

    @AfterEach
    void stop() throws Exception {
        if (connection != null) {
            connection.close();
        }
        server.close();
    }

    private ServerConnection connect(URI uri, String secret, Duration grace) {
        connection = new ServerConnection(
                uri,
                CONTEXT_ID,
                secret,
                HttpClient.newHttpClient(),
                grace,
                listener,
                () -> List.of("job-1"),
                Clock.systemUTC());
        connection.start();
        return connection;
    }

    @Test
    void authenticatesAnnouncesTheContextAndExchangesMessages() throws Exception {
        connect(server.wsUri(), SECRET, Duration.ofMinutes(1));
        connection.firstConnection().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(server.acceptedConnections()).isEqualTo(1);

        connection.contextReady(new Message.ContextReady("app-1", null, "i-1"));
        connection.send(new Message.JobStarted("job-1", 1));
        assertThat(server.next(WAIT)).isEqualTo(new Message.ContextReady("app-1", null, "i-1"));
        assertThat(server.next(WAIT)).isEqualTo(new Message.JobStarted("job-1", 1));

        server.send(new Message.KillJob("job-1"));
        assertThat(received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(new Message.KillJob("job-1"));
    }

    @Test
    void largeMessagesArriveWhole() throws Exception {
        connect(server.wsUri(), SECRET, Duration.ofMinutes(1));
        connection.firstConnection().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        String big = "x".repeat(300_000);
        server.send(new Message.StartJob("big", "C", List.of(), "a = \"" + big + "\""));
        Message.ToDriver message = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(message).isInstanceOf(Message.StartJob.class);
        assertThat(((Message.StartJob) message).jobConfig()).hasSize(big.length() + 6);
    }

    @Test
    void eventsWaitOutAServerRestartAndArriveInOrderAfterTheGreeting() throws Exception {
        connect(server.wsUri(), SECRET, Duration.ofMinutes(1));
        connection.firstConnection().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        connection.contextReady(new Message.ContextReady("app-1", "http://ui", "i-1"));
        assertThat(server.next(WAIT)).isInstanceOf(Message.ContextReady.class);

        server.setDown(true);
        server.dropConnection();
        awaitTrue(() -> !connection.isConnected(), "the driver to notice the lost connection");

        connection.send(new Message.JobFinished("job-1", 5, RESULT));
        connection.sendIfConnected(new Message.Heartbeat(6, List.of())); // stale by the next connection: dropped
        connection.send(new Message.JobKilled("job-2", 7));
        assertThat(server.next(Duration.ofMillis(300))).isNull();

        server.setDown(false);
        assertThat(server.next(WAIT)).isEqualTo(new Message.ContextReady("app-1", "http://ui", "i-1"));
        assertThat(server.next(WAIT)).isEqualTo(new Message.JobFinished("job-1", 5, RESULT));
        assertThat(server.next(WAIT)).isEqualTo(new Message.JobKilled("job-2", 7));
        assertThat(server.next(WAIT))
                .isInstanceOfSatisfying(
                        Message.Heartbeat.class,
                        h -> assertThat(h.runningJobs()).containsExactly("job-1"));
        assertThat(server.acceptedConnections()).isEqualTo(2);
        assertThat(gaveUp).isNotDone();
    }

    @Test
    void aJobEventTheServerDidNotAcknowledgeIsSentAgainOnTheNextConnection() throws Exception {
        connect(server.wsUri(), SECRET, Duration.ofMinutes(1));
        connection.firstConnection().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        connection.contextReady(new Message.ContextReady("app-1", null, "i-1"));
        assertThat(server.next(WAIT)).isInstanceOf(Message.ContextReady.class);
        connection.send(new Message.JobStarted("job-1", 1));
        assertThat(server.next(WAIT)).isEqualTo(new Message.JobStarted("job-1", 1));
        awaitTrue(() -> connection.unackedEvents() == 0, "the acknowledgement of JobStarted");

        // The server dies after the job's end reached it and before it was recorded: no acknowledgement.
        server.setAcking(false);
        connection.send(new Message.JobFinished("job-1", 5, RESULT));
        assertThat(server.next(WAIT)).isEqualTo(new Message.JobFinished("job-1", 5, RESULT));
        awaitTrue(() -> connection.unackedEvents() == 1, "the finish kept until acknowledged");
        server.setDown(true);
        server.dropConnection();
        awaitTrue(() -> !connection.isConnected(), "the driver to notice the lost connection");
        connection.send(new Message.JobKilled("job-2", 7));

        server.setAcking(true);
        server.setDown(false);
        assertThat(server.next(WAIT)).isInstanceOf(Message.ContextReady.class);
        assertThat(server.next(WAIT)).isEqualTo(new Message.JobFinished("job-1", 5, RESULT));
        assertThat(server.next(WAIT)).isEqualTo(new Message.JobKilled("job-2", 7));
        awaitTrue(() -> connection.unackedEvents() == 0, "both events acknowledged");
        // The acknowledged start is not sent again.
        assertThat(server.nextNonHeartbeat(Duration.ofMillis(300))).isNull();
    }

    @Test
    void everyEventTheServerAcknowledgesAtOnceIsForgottenHoweverFastTheAcknowledgementComes() throws Exception {
        connect(server.wsUri(), SECRET, Duration.ofMinutes(1));
        connection.firstConnection().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        // the fake server acknowledges on its reading thread, often before the driver's send has returned
        for (int i = 0; i < 1000; i++) {
            connection.send(new Message.JobStarted("job-" + i, i));
        }
        // flush waits until every event is sent and acknowledged
        assertThat(connection.flush(WAIT)).as("all sent and acknowledged").isTrue();
        assertThat(connection.unackedEvents()).isZero();
    }

    @Test
    void aDriverFailsOverToAnotherServerItWasToldOfAndSendsWhatWasNotAcknowledged() throws Exception {
        try (FakeServer other = new FakeServer(CONTEXT_ID, SECRET)) {
            server.announceServers(List.of(
                    ServerConnection.httpBaseOf(server.wsUri()).toString(),
                    ServerConnection.httpBaseOf(other.wsUri()).toString()));
            connect(server.wsUri(), SECRET, Duration.ofMinutes(1));
            connection.firstConnection().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(connection.serverHttpUrl()).isEqualTo(ServerConnection.httpBaseOf(server.wsUri()));
            connection.contextReady(new Message.ContextReady("app-1", null, "i-1"));
            assertThat(server.next(WAIT)).isInstanceOf(Message.ContextReady.class);
            server.setAcking(false);
            connection.send(new Message.JobFinished("job-1", 5, RESULT));
            assertThat(server.next(WAIT)).isEqualTo(new Message.JobFinished("job-1", 5, RESULT));

            server.setDown(true); // for good: the driver must go to the other server
            server.dropConnection();

            assertThat(other.next(WAIT)).isEqualTo(new Message.ContextReady("app-1", null, "i-1"));
            assertThat(other.next(WAIT)).isEqualTo(new Message.JobFinished("job-1", 5, RESULT));
            assertThat(other.acceptedConnections()).isEqualTo(1);
            assertThat(connection.serverHttpUrl()).isEqualTo(ServerConnection.httpBaseOf(other.wsUri()));
            awaitTrue(() -> connection.unackedEvents() == 0, "the other server's acknowledgement");
        }
    }

    @Test
    void webSocketAndHttpAddressesOfAServerCorrespond() {
        URI ws = ServerConnection.wsUriOf(URI.create("https://jobs.example.com:8090/"));
        assertThat(ws).isEqualTo(URI.create("wss://jobs.example.com:8090/driver/ws"));
        assertThat(ServerConnection.httpBaseOf(ws)).isEqualTo(URI.create("https://jobs.example.com:8090"));
        assertThat(ServerConnection.wsUriOf(URI.create("http://10.0.0.1:8090")))
                .isEqualTo(URI.create("ws://10.0.0.1:8090/driver/ws"));
        assertThatThrownBy(() -> ServerConnection.wsUriOf(URI.create("ftp://x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRefusedFirstAuthenticationIsFinal() throws Exception {
        connect(server.wsUri(), "not the secret", Duration.ofMinutes(1));
        assertThat(gaveUp.get(WAIT.toSeconds(), TimeUnit.SECONDS)).contains("refused");
        assertThatThrownBy(() -> connection.firstConnection().get(1, TimeUnit.SECONDS))
                .hasMessageContaining("refused");
        assertThat(server.acceptedConnections()).isZero();
    }

    @Test
    void anUnreachableServerIsGivenUpAfterTheGracePeriod() throws Exception {
        URI nowhere = server.wsUri();
        server.close();
        long start = System.nanoTime();
        connect(nowhere, SECRET, Duration.ofSeconds(2));
        assertThat(gaveUp.get(WAIT.toSeconds(), TimeUnit.SECONDS)).contains("unreachable for PT2S");
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isBetween(Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    @Test
    void closingFlushesWhatIsQueued() throws Exception {
        connect(server.wsUri(), SECRET, Duration.ofMinutes(1));
        connection.firstConnection().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        for (int i = 0; i < 50; i++) {
            connection.send(new Message.JobStarted("job-" + i, i));
        }
        connection.close(Duration.ofSeconds(10));
        for (int i = 0; i < 50; i++) {
            assertThat(server.next(WAIT)).isEqualTo(new Message.JobStarted("job-" + i, i));
        }
        awaitTrue(() -> !server.isConnected(), "the socket to close");
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
