package spark.jobserver.server.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.Messages;

class WsDriverSessionTest {
    private final List<String> frames = new ArrayList<>();
    private final WsDriverSession session = new WsDriverSession("ctx-1", frames::add, () -> true, () -> {});

    @Test
    void aJobSentBeforeTheDriverIsAcceptedGoesRightAfterTheAcceptance() {
        // a job started through another request between the attachment and the acceptance (a bench run lost
        // such jobs: the driver ignores frames before Accepted)
        Message.StartJob job = new Message.StartJob("job-1", "spark.jobserver.WordCountExample", List.of(), "{}");
        session.send(job);
        assertThat(frames).isEmpty();

        Message.Accepted accepted = new Message.Accepted(true, List.of("http://127.0.0.1:8090"));
        session.accept(accepted);
        assertThat(frames).containsExactly(Messages.toJson(accepted), Messages.toJson(job));

        Message.KillJob kill = new Message.KillJob("job-1");
        session.send(kill);
        assertThat(frames).last().isEqualTo(Messages.toJson(kill));
    }

    @Test
    void aDriverIsAcceptedOnce() {
        session.accept(new Message.Accepted(false, List.of()));
        assertThatThrownBy(() -> session.accept(new Message.Accepted(false, List.of())))
                .isInstanceOf(IllegalStateException.class);
    }
}
