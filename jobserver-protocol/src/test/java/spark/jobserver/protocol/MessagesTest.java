package spark.jobserver.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessagesTest {

    @Test
    void everyMessageSurvivesARoundTrip() {
        var result = JsonNodeFactory.instance.objectNode().put("a", 2);
        List<Message> messages = List.of(
                new Message.Challenge("n"),
                new Message.Accepted(true),
                new Message.StartJob(
                        "j",
                        "C",
                        List.of(
                                BinaryRef.uploaded("app", "ab"),
                                BinaryRef.uri("file:/x.jar"),
                                BinaryRef.uploaded("py", "cd", BinaryRef.Kind.WHEEL)),
                        "{}"),
                new Message.KillJob("j"),
                new Message.StopContext(),
                new Message.Authenticate("c", "m"),
                new Message.ContextReady("app-1", null, "i-1"),
                new Message.ContextInitFailed(ErrorInfo.of(new IllegalStateException("boom"))),
                new Message.JobRejected("j", Rejection.NO_SLOTS, ErrorInfo.of("full", "x.Y")),
                new Message.JobValidationFailed("j", ErrorInfo.of("bad", "java.lang.Throwable")),
                new Message.JobStarted("j", 1L),
                new Message.JobFinished("j", 2L, result),
                new Message.JobFailed("j", 2L, ErrorInfo.of(new RuntimeException())),
                new Message.JobKilled("j", 3L),
                new Message.Heartbeat(4L, List.of("j")),
                new Message.JobStreamFinished("j", 5L, 1024L),
                new Message.ContextStopping("stop-context-on-job-error"),
                new Message.ListNamedObjects("r"),
                new Message.NamedObjectsListed(
                        "r",
                        List.of(
                                new NamedObjectInfo("rdd", "RDD", "MEMORY_ONLY", 10L, 0L, 4, 4, 7, null, null, 6L),
                                new NamedObjectInfo(
                                        "b", "Broadcast", null, null, null, null, null, null, 3L, false, 6L)),
                        null),
                new Message.NamedObjectsListed("r", List.of(), ErrorInfo.of("not ready", "x.Y")));
        for (Message m : messages) {
            String json = Messages.toJson(m);
            assertThat(json).contains("\"type\":\"" + m.getClass().getSimpleName() + "\"");
            assertThat(Messages.fromJson(json)).isEqualTo(m);
        }
    }

    @Test
    void aBinaryKnowsWhetherPythonRunsIt() {
        assertThat(BinaryRef.uploaded("app", "ab").kind()).isEqualTo(BinaryRef.Kind.JAR);
        assertThat(BinaryRef.uri("file:/jobs/x.egg").kind()).isEqualTo(BinaryRef.Kind.EGG);
        assertThat(BinaryRef.uri("https://repo/x-1.0-py3-none-any.WHL?token=1").kind())
                .isEqualTo(BinaryRef.Kind.WHEEL);
        assertThat(BinaryRef.uri("local:/opt/lib/x.jar").kind().isPython()).isFalse();
        // a frame of a driver that predates kinds: a jar
        var old = (Message.StartJob) Messages.fromJson("{\"type\":\"StartJob\",\"jobId\":\"j\",\"classPath\":\"C\","
                + "\"binaries\":[{\"name\":\"a\",\"sha256\":\"ab\"}],\"jobConfig\":\"{}\"}");
        assertThat(old.binaries().get(0).kind()).isEqualTo(BinaryRef.Kind.JAR);
    }

    @Test
    void unknownFramesAreRejected() {
        assertThatThrownBy(() -> Messages.fromJson("{\"type\":\"Nope\"}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Messages.fromJson("not json")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void macVerifiesOnlyWithTheSameSecretAndNonce() {
        String secret = DriverAuth.randomToken();
        String mac = DriverAuth.mac(secret, "nonce");
        assertThat(DriverAuth.verify(secret, "nonce", mac)).isTrue();
        assertThat(DriverAuth.verify(secret, "other", mac)).isFalse();
        assertThat(DriverAuth.verify(DriverAuth.randomToken(), "nonce", mac)).isFalse();
        assertThat(DriverAuth.verify(secret, "nonce", null)).isFalse();
    }
}
