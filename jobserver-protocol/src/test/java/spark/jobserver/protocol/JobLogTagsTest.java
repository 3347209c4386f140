package spark.jobserver.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobLogTagsTest {

    @Test
    void aTaggedLineNamesItsJob() {
        assertThat(JobLogTags.jobOf(JobLogTags.prefix("4d6f-1") + "26/11/30 INFO x: y"))
                .isEqualTo("4d6f-1");
        assertThat(JobLogTags.jobOf("[job a b] x")).isNull();
        assertThat(JobLogTags.jobOf("[job ] x")).isNull();
        assertThat(JobLogTags.jobOf("[job a]x")).isNull();
        assertThat(JobLogTags.jobOf("26/11/30 INFO [job a] x")).isNull();
    }

    @Test
    void stackTracesAndTracebacksContinueTheEntryBeforeThem() {
        for (String line : new String[] {
            "\tat spark.jobserver.MyJob.run(MyJob.java:12)",
            "  File \"job.py\", line 3, in run_job",
            "Caused by: java.io.IOException: disk",
            "Suppressed: java.lang.RuntimeException",
            "java.lang.IllegalStateException: boom",
            "ValueError: deliberate",
            "Traceback (most recent call last):",
            "\t... 3 more"
        }) {
            assertThat(JobLogTags.owner(line, "a")).as(line).isEqualTo("a");
            assertThat(JobLogTags.owner(line, null)).as(line).isNull();
        }
        assertThat(JobLogTags.owner("26/11/30 10:00:03 INFO DAGScheduler: x", "a"))
                .isNull();
        assertThat(JobLogTags.owner("plain output", "a")).isNull();
        assertThat(JobLogTags.owner("[job b] x", "a")).isEqualTo("b");
    }
}
