package spark.jobserver.server.contexts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContextStateTest {

    @Test
    void statesNeverLeaveAFinalState() {
        for (ContextState terminal :
                new ContextState[] {ContextState.FINISHED, ContextState.ERROR, ContextState.KILLED}) {
            for (ContextState next : ContextState.values()) {
                assertThat(terminal.canMoveTo(next))
                        .as(terminal + " -> " + next)
                        .isFalse();
            }
        }
        assertThat(ContextState.STARTED.canMoveTo(ContextState.RUNNING)).isTrue();
        assertThat(ContextState.RUNNING.canMoveTo(ContextState.STOPPING)).isTrue();
        assertThat(ContextState.STOPPING.canMoveTo(ContextState.RUNNING)).isFalse();
        assertThat(ContextState.STOPPING.canMoveTo(ContextState.FINISHED)).isTrue();
        assertThat(ContextState.RUNNING.canMoveTo(ContextState.STARTED)).isFalse();
    }
}
